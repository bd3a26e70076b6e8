package dev.harmony.http.dashboard;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * Events per second over the last {@value #SECONDS} seconds, in a ring of per-second slots. A slot is
 * reclaimed by the first event of a new second; an event racing that reclaim may be lost, which is fine
 * for a rate shown on a dashboard and keeps the hot path free of locks.
 */
final class RateWindow {
    static final int SECONDS = 10;
    private static final int SLOTS = SECONDS + 2;

    private final LongSupplier millis;
    private final AtomicLongArray seconds = new AtomicLongArray(SLOTS);
    private final AtomicLongArray counts = new AtomicLongArray(SLOTS);
    private final AtomicLong firstSecond = new AtomicLong(Long.MIN_VALUE);

    RateWindow(LongSupplier millis) {
        this.millis = millis;
        for (int i = 0; i < SLOTS; i++) {
            seconds.set(i, Long.MIN_VALUE);
        }
    }

    void record() {
        long now = Math.floorDiv(millis.getAsLong(), 1000);
        firstSecond.compareAndSet(Long.MIN_VALUE, now);
        int slot = Math.floorMod(now, SLOTS);
        long stamp = seconds.get(slot);
        if (stamp != now && seconds.compareAndSet(slot, stamp, now)) {
            counts.set(slot, 0);
        }
        counts.incrementAndGet(slot);
    }

    /**
     * Events per second over the last {@value #SECONDS} seconds including the current one; while the
     * window is younger than that, over the seconds since the first event.
     */
    double perSecond() {
        long first = firstSecond.get();
        if (first == Long.MIN_VALUE) {
            return 0;
        }
        long now = Math.floorDiv(millis.getAsLong(), 1000);
        long total = 0;
        for (int i = 0; i < SLOTS; i++) {
            long stamp = seconds.get(i);
            if (stamp > now - SECONDS && stamp <= now) {
                total += counts.get(i);
            }
        }
        long span = Math.max(1, Math.min(SECONDS, now - first + 1));
        return (double) total / span;
    }
}
