package dev.harmony.http.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RecentDurationsTest {
    private final AtomicLong now = new AtomicLong(7_000_000);
    private final RecentDurations durations = new RecentDurations(now::get);

    @Test
    void aSlowWarmUpStopsDominatingOnceItIsAMinuteOld() {
        for (int i = 0; i < 10; i++) {
            durations.record(500_000_000);
        }
        for (int i = 0; i < 90; i++) {
            durations.record(1_000_000);
        }
        assertThat((double) durations.percentile(0.99)).isCloseTo(500_000_000, within(62_500_000.0));
        now.addAndGet(30_000);
        for (int i = 0; i < 100; i++) {
            durations.record(1_000_000);
        }
        assertThat((double) durations.percentile(0.99)).as("warm-up still inside the window")
                .isCloseTo(500_000_000, within(62_500_000.0));
        now.addAndGet(45_000);
        durations.record(1_000_000);
        assertThat((double) durations.percentile(0.99)).as("warm-up aged out")
                .isCloseTo(1_000_000, within(125_000.0));
        assertThat((double) durations.percentile(0.50)).isCloseTo(1_000_000, within(125_000.0));
    }

    @Test
    void isZeroWhenNothingHappenedInTheLastMinute() {
        assertThat(durations.percentile(0.5)).isZero();
        durations.record(3_000_000);
        assertThat(durations.percentile(0.5)).isPositive();
        now.addAndGet(5 * 60_000);
        assertThat(durations.percentile(0.5)).isZero();
    }

    @Test
    void aSlotIsReusedCleanAfterTheRingWrapsAround() {
        durations.record(900_000_000);
        // exactly one ring later the same slot serves a new period and must not keep the old value
        now.addAndGet(7 * RecentDurations.PERIOD_MILLIS);
        durations.record(2_000_000);
        assertThat((double) durations.percentile(1.0)).isCloseTo(2_000_000, within(250_000.0));
    }
}
