package dev.harmony.http.dashboard;

import dev.harmony.pipeline.PipelineListener.Delivery;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/** The live, lock-free counters of one destination's delivery attempts: count and time per outcome. */
final class DeliveryCounters {
    private static final Delivery[] OUTCOMES = Delivery.values();

    private final LongAdder[] counts = new LongAdder[OUTCOMES.length];
    private final LongAdder[] nanos = new LongAdder[OUTCOMES.length];
    private final RecentDurations durations;

    DeliveryCounters(LongSupplier millis) {
        this.durations = new RecentDurations(millis);
        for (int i = 0; i < OUTCOMES.length; i++) {
            counts[i] = new LongAdder();
            nanos[i] = new LongAdder();
        }
    }

    void record(Delivery outcome, long took) {
        counts[outcome.ordinal()].increment();
        nanos[outcome.ordinal()].add(Math.max(0, took));
        durations.record(took);
    }

    long count(Delivery outcome) {
        return counts[outcome.ordinal()].sum();
    }

    long nanos(Delivery outcome) {
        return nanos[outcome.ordinal()].sum();
    }

    DeliveryFigures snapshot(String destination) {
        long delivered = count(Delivery.DELIVERED);
        long retried = count(Delivery.RETRY_SCHEDULED);
        long dead = count(Delivery.DEAD);
        return new DeliveryFigures(destination, delivered + retried + dead, delivered, retried, dead,
                durations.percentile(0.50) / 1e6, durations.percentile(0.99) / 1e6);
    }
}
