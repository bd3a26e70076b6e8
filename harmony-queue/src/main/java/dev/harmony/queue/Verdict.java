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
 * @param rejection the refusal as a rejection (an answer without one, or a failure, mapped to its kind), null
 *        if delivered: what pipeline listeners are told
 */
record Verdict(boolean delivered, boolean retryable, Duration retryAfter, String detail, Rejection rejection) {

    /** Retryable: the destination may take it later. Everything else is the message's own fault. */
    static boolean retryable(Rejection.Kind kind) {
        return switch (kind) {
            case UPSTREAM_UNAVAILABLE, UPSTREAM_TIMEOUT, UNAVAILABLE, TOO_MANY_REQUESTS, INTERNAL -> true;
            case MALFORMED, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT, PAYLOAD_TOO_LARGE, UNSUPPORTED,
                    INVALID, METHOD_NOT_ALLOWED, URI_TOO_LONG, EXPECTATION_FAILED, HEADERS_TOO_LARGE,
                    NOT_IMPLEMENTED -> false;
        };
    }

    static Verdict of(Response response) {
        if (response.rejection().isPresent()) {
            return of(response.rejection().get(), response.status());
        }
        if (response.isSuccess()) {
            return new Verdict(true, false, null, "answered " + response.status(), null);
        }
        Rejection.Kind kind = null;
        for (Rejection.Kind k : Rejection.Kind.values()) {
            if (k.status() == response.status()) {
                kind = k;
            }
        }
        boolean retry = kind != null ? retryable(kind) : response.status() >= 500;
        String detail = "answered " + response.status();
        Rejection.Kind shown = kind != null ? kind : retry ? Rejection.Kind.INTERNAL : Rejection.Kind.INVALID;
        return new Verdict(false, retry, null, detail, Rejection.of(shown, detail));
    }

    static Verdict of(Throwable failure) {
        if (failure instanceof RejectionException r) {
            return of(r.rejection(), r.rejection().kind().status());
        }
        // A connection error or a bug in the destination: INTERNAL, retried.
        return new Verdict(false, true, null, "INTERNAL: " + failure, Rejection.internal(failure.toString()));
    }

    private static Verdict of(Rejection r, int status) {
        String detail = r.kind() + (r.reason().map(x -> "(" + x + ")").orElse("")) + " " + status + ": " + r.message();
        return new Verdict(false, retryable(r.kind()), r.retryAfter().orElse(null), detail, r);
    }
}
