package dev.harmony.queue;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where one destination's messages live: the journal directory or a PostgreSQL table. The queue decides
 * what happens to a message (one place: {@link DeliveryQueue}); a store only makes it durable.
 */
interface Store {

    /** A message a worker holds for one attempt. */
    record Claim(StoredRequest request, Path bodyFile, boolean bodyIsCopy, Progress progress, long bytes) {
        String id() {
            return request.id();
        }
    }

    /** Messages and bytes that hold a payload (pending, in flight, dead). */
    record Usage(long messages, long bytes) {
    }

    String destination();

    /** Opens the store, recovering what a previous process left in flight. */
    void open() throws Exception;

    void close();

    /**
     * Persists a new message: its body from {@code body} (at most {@code maxBytes}) and its request,
     * durably, before returning. Nothing of it is visible if this throws.
     */
    void accept(StoredRequest request, InputStream body, long maxBytes) throws Exception;

    /**
     * Persists a new message whose body is already in {@code file}, from {@code offset} to its end: a
     * Part-10 file a store wrote and made durable (content and name). A store may keep the file itself
     * rather than a copy; by default it copies.
     */
    default void acceptFile(StoredRequest request, Path file, long offset, long maxBytes) throws Exception {
        try (InputStream in = java.nio.file.Files.newInputStream(file)) {
            in.skipNBytes(offset);
            accept(request, in, maxBytes);
        }
    }

    /** The next due message, now in flight for {@code owner}; empty if none is due. */
    Optional<Claim> claim(String owner, Duration lease, Instant now) throws Exception;

    /** When the earliest pending message is due, if this store knows without asking (the journal does). */
    Optional<Instant> nextDue();

    /**
     * Records the outcome of an attempt; a delivered message loses its payload. False if the claim was
     * lost meanwhile (a lease that expired and was taken over): then nothing is changed.
     */
    boolean finish(Claim claim, String owner, Progress next, Duration delay) throws Exception;

    /** Extends the lease of a claim still being delivered; false if it is lost. */
    default boolean renew(Claim claim, String owner, Duration lease) throws Exception {
        return true;
    }

    /** Puts back what {@code owner} still holds (on stop). */
    default void releaseAll(String owner) throws Exception {
    }

    Usage usage() throws Exception;

    DestinationStatus status(Instant now) throws Exception;

    List<MessageInfo> list(MessageState state, int limit) throws Exception;

    Optional<MessageInfo> get(String id) throws Exception;

    /** Dead to pending, attempts reset. False if the message is not dead. */
    boolean replay(String id, Instant now) throws Exception;

    /** Removes delivered or dead messages last changed before {@code before}; returns how many. */
    int purge(MessageState state, Instant before) throws Exception;

    /** Ids of messages in {@code state}, oldest first. */
    List<String> ids(MessageState state, int limit) throws Exception;
}
