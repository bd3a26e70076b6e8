package dev.harmony.examples.all;

import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.PipelineListener;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One INFO line per HTTP exchange: {@code GET /Patient -> 200 in 12 ms}, or the rejection's kind and
 * message. The DICOM example logs its own lines per association and object.
 */
final class RequestLog implements PipelineListener {
    private final Logger log;
    private final Map<String, Request> inFlight = new ConcurrentHashMap<>();

    RequestLog(String pipeline) {
        this.log = LoggerFactory.getLogger("dev.harmony.examples." + pipeline);
    }

    @Override
    public void exchangeStarted(String pipeline, String exchangeId, Request request) {
        inFlight.put(exchangeId, request);
    }

    @Override
    public void exchangeFinished(String pipeline, String exchangeId, Response response, long durationNanos) {
        Request request = inFlight.remove(exchangeId);
        if (request == null || !log.isInfoEnabled()) {
            return;
        }
        String target = request.operation() + " " + (request.path().isEmpty() ? "/" : request.path());
        long millis = durationNanos / 1_000_000;
        response.rejection().ifPresentOrElse(
                r -> log.info("{} -> {} {}: {} ({} ms)", target, response.status(), r.kind(), r.message(), millis),
                () -> log.info("{} -> {} in {} ms", target, response.status(), millis));
    }
}
