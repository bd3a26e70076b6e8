package dev.harmony.http.dashboard;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counts durations in fixed logarithmic buckets: four per power of two, so any reported percentile is
 * within 12.5% of the true value, memory is constant ({@value #BUCKETS} longs) and recording is one
 * lock-free add. Durations beyond about 4.9 hours share the last bucket.
 */
final class DurationHistogram {
    private static final int SUB_BUCKETS = 4;
    static final int BUCKETS = 44 * SUB_BUCKETS;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

    void record(long nanos) {
        counts.incrementAndGet(index(nanos));
    }

    /** Forgets everything recorded (a recording racing this may survive it; fine for a dashboard). */
    void clear() {
        for (int i = 0; i < BUCKETS; i++) {
            counts.set(i, 0);
        }
    }

    /** Adds this histogram's counts into {@code sums} (of length {@link #BUCKETS}). */
    void addTo(long[] sums) {
        for (int i = 0; i < BUCKETS; i++) {
            sums[i] += counts.get(i);
        }
    }

    /** The percentile of what this histogram holds; see {@link #percentile(long[], double)}. */
    long percentile(double quantile) {
        long[] snapshot = new long[BUCKETS];
        addTo(snapshot);
        return percentile(snapshot, quantile);
    }

    /**
     * The value below which {@code quantile} of the counted durations fall, as the middle of its bucket,
     * or 0 when nothing was counted.
     */
    static long percentile(long[] counts, double quantile) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        if (total == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(quantile * total));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return (lowerBound(i) + upperBound(i)) / 2;
            }
        }
        return upperBound(BUCKETS - 1);
    }

    static int index(long nanos) {
        long v = Math.max(0, nanos);
        if (v < SUB_BUCKETS) {
            return (int) v;
        }
        int octave = 63 - Long.numberOfLeadingZeros(v);
        int sub = (int) (v >>> (octave - 2)) & (SUB_BUCKETS - 1);
        return Math.min(BUCKETS - 1, octave * SUB_BUCKETS + sub - SUB_BUCKETS);
    }

    static long lowerBound(int index) {
        if (index < SUB_BUCKETS) {
            return index;
        }
        int octave = (index + SUB_BUCKETS) / SUB_BUCKETS;
        int sub = (index + SUB_BUCKETS) % SUB_BUCKETS;
        return (long) (SUB_BUCKETS + sub) << (octave - 2);
    }

    static long upperBound(int index) {
        if (index < SUB_BUCKETS) {
            return index;
        }
        int octave = (index + SUB_BUCKETS) / SUB_BUCKETS;
        return lowerBound(index) + (1L << (octave - 2)) - 1;
    }
}
