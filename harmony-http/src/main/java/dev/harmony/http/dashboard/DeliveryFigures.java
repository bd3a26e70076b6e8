package dev.harmony.http.dashboard;

/**
 * The delivery attempts of one queue destination of a pipeline, as its listeners heard of them
 * ({@link dev.harmony.pipeline.PipelineListener#deliveryAttempted}), counted since the metrics were created.
 *
 * @param destination the queue's destination name
 * @param attempts all attempts: delivered + retried + dead
 * @param delivered attempts the destination took
 * @param retried attempts that failed and were scheduled again
 * @param dead attempts after which the message went to dead-letter
 * @param p50Millis median attempt duration in milliseconds over about the last minute, 0 if none
 * @param p99Millis 99th percentile over about the last minute, 0 if none
 */
public record DeliveryFigures(String destination, long attempts, long delivered, long retried, long dead,
        double p50Millis, double p99Millis) {
}
