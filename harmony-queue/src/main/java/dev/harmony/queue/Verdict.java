package dev.harmony.queue;

import dev.harmony.message.Response;
import dev.harmony.pipeline.Rejection;
import dev.harmony.pipeline.RejectionException;
import java.time.Duration;

/**
 * The queue's one failure classification: what an attempt's answer means for the message. It reads
 * only the protocol-neutral rejection kind (each destination backend maps its wire answers to kinds in
 * its own one place), or, for an answer without a rejection, the status in HTTP's vocabulary.
 *
 * @param delivered the destination took it
 * @param retryable worth another attempt later
 * @param retryAfter how long the destination asked us to wait, or null
 * @param detail what the destination answered, for the history
 */
record Verdict(boolean delivered, boolean retryable, Duration retryAfter, String detail) {

    /** Retryable: the destination may take it later. Everything else is the message's own fault. */
    static boolean retryable(Rejection.Kind kind) {
        return switch (kind) {
            case UPSTREAM_UNAVAILABLE, UPSTREAM_TIMEOUT, UNAVAILABLE, TOO_MANY_REQUESTS, INTERNAL -> true;
            case MALFORMED, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT, PAYLOAD_TOO_LARGE, UNSUPPORTED,
                    INVALID -> false;
        };
    }

    static Verdict of(Response response) {
        if (response.rejection().isPresent()) {
            return of(response.rejection().get(), response.status());
        }
        if (response.isSuccess()) {
            return new Verdict(true, false, null, "answered " + response.status());
        }
        Rejection.Kind kind = null;
        for (Rejection.Kind k : Rejection.Kind.values()) {
            if (k.status() == response.status()) {
                kind = k;
            }
        }
        boolean retry = kind != null ? retryable(kind) : response.status() >= 500;
        return new Verdict(false, retry, null, "answered " + response.status());
    }

    static Verdict of(Throwable failure) {
        if (failure instanceof RejectionException r) {
            return of(r.rejection(), r.rejection().kind().status());
        }
        // A connection error or a bug in the destination: INTERNAL, retried.
        return new Verdict(false, true, null, "INTERNAL: " + failure);
    }

    private static Verdict of(Rejection r, int status) {
        String detail = r.kind() + (r.reason().map(x -> "(" + x + ")").orElse("")) + " " + status + ": " + r.message();
        return new Verdict(false, retryable(r.kind()), r.retryAfter().orElse(null), detail);
    }
}
