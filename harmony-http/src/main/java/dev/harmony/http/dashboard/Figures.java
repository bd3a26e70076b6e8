package dev.harmony.http.dashboard;

import dev.harmony.pipeline.Rejection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * Counts and durations for a pipeline or one of its stages, as of one moment.
 *
 * @param count exchanges seen (for a stage: exchanges that reached it)
 * @param passed handed on, or answered without a rejection
 * @param rejected refused with a rejection, by kind; kinds never seen are absent
 * @param failed ended by an unexpected exception
 * @param p50Millis median duration in milliseconds over about the last minute (a stage's own time,
 *        excluding later stages), within 12.5% (log buckets); 0 if nothing happened in that time
 * @param p99Millis 99th percentile duration in milliseconds over about the last minute, 0 if none
 * @param perSecond exchanges per second over the last ten seconds
 */
public record Figures(long count, long passed, Map<Rejection.Kind, Long> rejected, long failed, double p50Millis,
        double p99Millis, double perSecond) {

    public Figures {
        rejected = rejected.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(rejected));
    }

    /** Nothing seen yet. */
    public static Figures none() {
        return new Figures(0, 0, Map.of(), 0, 0, 0, 0);
    }

    /** All rejections, whatever their kind. */
    public long rejectedTotal() {
        return rejected.values().stream().mapToLong(Long::longValue).sum();
    }
}
