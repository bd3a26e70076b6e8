package dev.harmony.queue;

import java.time.Duration;

/**
 * Counts for one destination, as {@code queue status} shows them.
 *
 * @param destination the destination name
 * @param pending waiting for an attempt
 * @param inFlight being delivered now
 * @param delivered delivered and not yet purged
 * @param dead given up on, waiting for replay or purge
 * @param oldestPendingAge how long the oldest pending or in-flight message has waited; zero if none
 * @param bytes payload bytes held on disk or in the database (pending, in flight and dead)
 */
public record DestinationStatus(String destination, long pending, long inFlight, long delivered, long dead,
        Duration oldestPendingAge, long bytes) {
}
