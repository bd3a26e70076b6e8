package dev.harmony.http.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class DurationHistogramTest {

    @Test
    void bucketsAreContiguousAndCoverEveryValue() {
        for (int i = 1; i < DurationHistogram.BUCKETS; i++) {
            assertThat(DurationHistogram.lowerBound(i)).as("bucket %d", i)
                    .isEqualTo(DurationHistogram.upperBound(i - 1) + 1);
        }
        for (long v : new long[] {0, 1, 3, 4, 5, 7, 8, 1_000, 999_999, 1_000_000, 123_456_789_012L}) {
            int i = DurationHistogram.index(v);
            assertThat(v).isBetween(DurationHistogram.lowerBound(i), DurationHistogram.upperBound(i));
        }
        assertThat(DurationHistogram.index(-5)).isZero();
        assertThat(DurationHistogram.index(Long.MAX_VALUE)).isEqualTo(DurationHistogram.BUCKETS - 1);
    }

    @Test
    void percentilesAreWithinOneBucketOfTheTruth() {
        DurationHistogram h = new DurationHistogram();
        assertThat(h.percentile(0.5)).isZero();
        // 1..1000 microseconds, one each: p50 = 500 us, p99 = 990 us
        for (long us = 1; us <= 1000; us++) {
            h.record(us * 1000);
        }
        assertThat((double) h.percentile(0.50)).isCloseTo(500_000, within(500_000 * 0.125));
        assertThat((double) h.percentile(0.99)).isCloseTo(990_000, within(990_000 * 0.125));
    }

    @Test
    void aSingleSlowOutlierShowsInP99NotInP50() {
        DurationHistogram h = new DurationHistogram();
        for (int i = 0; i < 98; i++) {
            h.record(2_000_000);
        }
        h.record(900_000_000);
        h.record(900_000_000);
        assertThat((double) h.percentile(0.50)).isCloseTo(2_000_000, within(250_000.0));
        assertThat((double) h.percentile(0.99)).isCloseTo(900_000_000, within(900_000_000 * 0.125));
    }
}
