package dev.harmony.queue;

/** Where a queued message is in its life. */
public enum MessageState {
    /** Accepted and waiting for its (next) delivery attempt. */
    PENDING,
    /** A worker is delivering it now (on PostgreSQL: a node holds its lease). */
    IN_FLIGHT,
    /** The destination accepted it. Its payload is gone; its record and history stay until purged. */
    DELIVERED,
    /** Given up on (a permanent refusal, too many attempts or too old). Kept, payload included, for replay. */
    DEAD
}
