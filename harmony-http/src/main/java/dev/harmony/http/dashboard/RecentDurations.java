package dev.harmony.http.dashboard;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * Durations of roughly the last minute: a ring of histograms, one per ten-second period, so a live view
 * shows how the pipeline behaves now rather than since start (a slow warm-up stops dominating p99 after
 * a minute). A slot is cleared by the first recording of its new period.
 */
final class RecentDurations {
    static final long PERIOD_MILLIS = 10_000;
    static final int PERIODS = 6;
    private static final int SLOTS = PERIODS + 1;

    private final LongSupplier millis;
    private final DurationHistogram[] slots = new DurationHistogram[SLOTS];
    private final AtomicLongArray periods = new AtomicLongArray(SLOTS);

    RecentDurations(LongSupplier millis) {
        this.millis = millis;
        for (int i = 0; i < SLOTS; i++) {
            slots[i] = new DurationHistogram();
            periods.set(i, Long.MIN_VALUE);
        }
    }

    void record(long nanos) {
        long period = Math.floorDiv(millis.getAsLong(), PERIOD_MILLIS);
        int slot = Math.floorMod(period, SLOTS);
        long seen = periods.get(slot);
        if (seen != period && periods.compareAndSet(slot, seen, period)) {
            slots[slot].clear();
        }
        slots[slot].record(nanos);
    }

    /** The percentile over the current period and the {@value #PERIODS} before it, or 0 if none. */
    long percentile(double quantile) {
        long now = Math.floorDiv(millis.getAsLong(), PERIOD_MILLIS);
        long[] sums = new long[DurationHistogram.BUCKETS];
        for (int i = 0; i < SLOTS; i++) {
            long period = periods.get(i);
            if (period > now - SLOTS && period <= now) {
                slots[i].addTo(sums);
            }
        }
        return DurationHistogram.percentile(sums, quantile);
    }
}
