package dev.harmony.http.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateWindowTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final RateWindow rate = new RateWindow(now::get);

    @Test
    void isZeroBeforeAnything() {
        assertThat(rate.perSecond()).isZero();
    }

    @Test
    void averagesOverTheSecondsSinceTheFirstEventWhileYoung() {
        record(30);
        assertThat(rate.perSecond()).isEqualTo(30.0);
        now.addAndGet(1000);
        record(10);
        assertThat(rate.perSecond()).isEqualTo(20.0);
    }

    @Test
    void forgetsEventsOlderThanTheWindow() {
        for (int s = 0; s < 10; s++) {
            record(5);
            now.addAndGet(1000);
        }
        // the ten seconds just past are [t-9, t]; the current second has nothing yet
        assertThat(rate.perSecond()).isEqualTo(4.5);
        now.addAndGet(20_000);
        assertThat(rate.perSecond()).isZero();
        record(7);
        assertThat(rate.perSecond()).isEqualTo(0.7);
    }

    private void record(int n) {
        for (int i = 0; i < n; i++) {
            rate.record();
        }
    }
}
