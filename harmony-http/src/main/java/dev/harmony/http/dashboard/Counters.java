package dev.harmony.http.dashboard;

import dev.harmony.pipeline.Rejection;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/** The live, lock-free counters behind one {@link Figures}: for a whole pipeline or for one stage. */
final class Counters {
    private final LongAdder count = new LongAdder();
    private final LongAdder passed = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final Map<Rejection.Kind, LongAdder> rejected = new EnumMap<>(Rejection.Kind.class);
    private final RecentDurations durations;
    private final RateWindow rate;

    Counters(LongSupplier millis) {
        this.rate = new RateWindow(millis);
        this.durations = new RecentDurations(millis);
        // filled once here and only read afterwards, so the EnumMap needs no locking
        for (Rejection.Kind kind : Rejection.Kind.values()) {
            rejected.put(kind, new LongAdder());
        }
    }

    void passed(long nanos) {
        count.increment();
        passed.increment();
        durations.record(nanos);
        rate.record();
    }

    void rejected(Rejection.Kind kind, long nanos) {
        count.increment();
        rejected.get(kind).increment();
        durations.record(nanos);
        rate.record();
    }

    void failed(long nanos) {
        count.increment();
        failed.increment();
        durations.record(nanos);
        rate.record();
    }

    Figures snapshot() {
        Map<Rejection.Kind, Long> byKind = new EnumMap<>(Rejection.Kind.class);
        rejected.forEach((kind, adder) -> {
            long n = adder.sum();
            if (n > 0) {
                byKind.put(kind, n);
            }
        });
        return new Figures(count.sum(), passed.sum(), byKind, failed.sum(),
                durations.percentile(0.50) / 1e6, durations.percentile(0.99) / 1e6, rate.perSecond());
    }
}
