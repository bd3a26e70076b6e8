package dev.harmony.http.dashboard;

import dev.harmony.pipeline.Rejection;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The live, lock-free counters behind one {@link Figures}: for a whole pipeline or for one stage. Besides
 * the recent durations for the page, it keeps a count and a total time per outcome since start, which is
 * what {@code /metrics} exports.
 */
final class Counters {
    private static final Rejection.Kind[] KINDS = Rejection.Kind.values();
    /** Slot of each outcome in {@link #counts}/{@link #nanos}: passed, failed, then one per rejection kind. */
    static final int PASSED = 0;
    static final int FAILED = 1;
    static final int SLOTS = 2 + KINDS.length;

    private final LongAdder[] counts = new LongAdder[SLOTS];
    private final LongAdder[] nanos = new LongAdder[SLOTS];
    private final RecentDurations durations;
    private final RateWindow rate;

    Counters(LongSupplier millis) {
        this.rate = new RateWindow(millis);
        this.durations = new RecentDurations(millis);
        for (int i = 0; i < SLOTS; i++) {
            counts[i] = new LongAdder();
            nanos[i] = new LongAdder();
        }
    }

    static int rejectedSlot(Rejection.Kind kind) {
        return 2 + kind.ordinal();
    }

    /** The rejection kind counted in {@code slot}, or null for {@link #PASSED} and {@link #FAILED}. */
    static Rejection.Kind kindOf(int slot) {
        return slot < 2 ? null : KINDS[slot - 2];
    }

    void passed(long took) {
        record(PASSED, took);
    }

    void rejected(Rejection.Kind kind, long took) {
        record(rejectedSlot(kind), took);
    }

    void failed(long took) {
        record(FAILED, took);
    }

    private void record(int slot, long took) {
        counts[slot].increment();
        nanos[slot].add(Math.max(0, took));
        durations.record(took);
        rate.record();
    }

    /** How many ended in {@code slot} since start. */
    long count(int slot) {
        return counts[slot].sum();
    }

    /** Their total time in nanoseconds since start. */
    long nanos(int slot) {
        return nanos[slot].sum();
    }

    Figures snapshot() {
        Map<Rejection.Kind, Long> byKind = new EnumMap<>(Rejection.Kind.class);
        long total = 0;
        for (int slot = 0; slot < SLOTS; slot++) {
            long n = counts[slot].sum();
            total += n;
            if (n > 0 && slot >= 2) {
                byKind.put(kindOf(slot), n);
            }
        }
        return new Figures(total, counts[PASSED].sum(), byKind, counts[FAILED].sum(),
                durations.percentile(0.50) / 1e6, durations.percentile(0.99) / 1e6, rate.perSecond());
    }
}
