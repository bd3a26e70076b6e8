package dev.harmony.queue;

import dev.harmony.jdbc.internal.ConnectionSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The operations API of delivery queues: what {@code queue status|dead|replay|purge} show and do.
 * Get one from a running queue ({@link DeliveryQueue#admin()}) or open a store directly:
 *
 * <pre>{@code
 * try (QueueAdmin admin = QueueAdmin.journal(Path.of("/var/lib/harmony/queue"))) {
 *     admin.status().forEach(System.out::println);
 *     admin.dead("pacs", 20).forEach(m -> System.out.println(m.id() + " " + m.lastError()));
 *     admin.replay(id);
 * }
 * }</pre>
 *
 * A journal directory is owned by the process running its queue: opened from elsewhere while that runs,
 * it can be read (status, lists) but not changed; change it through that queue's {@code admin()}.
 * PostgreSQL queues can be changed from anywhere. Errors of the store are {@link QueueException}s.
 */
public interface QueueAdmin extends AutoCloseable {

    /** Counts per destination. */
    List<DestinationStatus> status();

    /** Messages of {@code destination} in {@code state}, oldest first, at most {@code limit}. */
    List<MessageInfo> list(String destination, MessageState state, int limit);

    /** Dead messages of {@code destination}, oldest first. */
    default List<MessageInfo> dead(String destination, int limit) {
        return list(destination, MessageState.DEAD, limit);
    }

    /** One message with its history. */
    Optional<MessageInfo> message(String id);

    /** Moves a dead message back to pending with its attempts reset; false if it is not dead. */
    boolean replay(String id);

    /** Replays every dead message of {@code destination}; returns how many. */
    int replayDead(String destination);

    /**
     * Deletes delivered or dead messages of {@code destination} whose last change is older than
     * {@code olderThan} ({@link Duration#ZERO}: all); returns how many. Pending work cannot be purged.
     */
    int purge(String destination, MessageState state, Duration olderThan);

    @Override
    void close();

    /** The journal under {@code dir} (every destination in it). */
    static QueueAdmin journal(Path dir) {
        return StoreAdmin.journal(dir);
    }

    /** The PostgreSQL queue in table {@code harmony_queue}. */
    static QueueAdmin postgres(String jdbcUrl) {
        return postgres(jdbcUrl, "harmony_queue");
    }

    /** The PostgreSQL queue in {@code table}. */
    static QueueAdmin postgres(String jdbcUrl, String table) {
        return StoreAdmin.postgres(ConnectionSource.postgres(jdbcUrl, "DeliveryQueue.postgres"), table);
    }
}
