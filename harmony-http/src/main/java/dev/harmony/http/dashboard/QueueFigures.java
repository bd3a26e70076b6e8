package dev.harmony.http.dashboard;

/**
 * One delivery queue's destination as the dashboard shows it (see {@link QueueSource}).
 *
 * @param destination the destination's name
 * @param store where the messages live, e.g. {@code journal /var/lib/harmony/queue} (never credentials)
 * @param pending waiting for a delivery attempt
 * @param inFlight being delivered now
 * @param delivered delivered and not yet purged
 * @param dead given up on, waiting for replay or purge
 * @param oldestPendingSeconds how long the oldest pending or in-flight message has waited; 0 if none
 * @param attempts delivery attempts this process started since the queue started
 * @param failedAttempts of those, attempts that failed (retried or dead)
 */
public record QueueFigures(String destination, String store, long pending, long inFlight, long delivered, long dead,
        double oldestPendingSeconds, long attempts, long failedAttempts) {

    /** Messages not yet delivered nor dead: pending plus in flight. */
    public long depth() {
        return pending + inFlight;
    }
}
