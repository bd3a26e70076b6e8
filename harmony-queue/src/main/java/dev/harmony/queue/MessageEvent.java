package dev.harmony.queue;

import java.time.Instant;
import java.util.Objects;

/**
 * One line of a message's history.
 *
 * @param at when it happened
 * @param type what happened
 * @param detail the destination's answer, the error, or who did it; may be empty
 */
public record MessageEvent(Instant at, Type type, String detail) {

    /** The kinds of events a message records. */
    public enum Type {
        /** Persisted and acknowledged to the sender. */
        ACCEPTED,
        /** A delivery attempt started (detail: the worker or node). */
        ATTEMPT,
        /** The destination accepted it (detail: its answer). */
        DELIVERED,
        /** An attempt failed and will be retried (detail: the answer or error, and the wait). */
        FAILED,
        /** Given up on (detail: why). */
        DEAD,
        /** Moved from dead back to pending by an operator. */
        REPLAYED,
        /** Found in flight after a crash or an expired lease, and put back to pending. */
        RECOVERED
    }

    public MessageEvent {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(type, "type");
        detail = detail == null ? "" : detail;
    }
}
