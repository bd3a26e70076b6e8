package dev.harmony.http.middleware;

import java.time.Duration;

/**
 * The token names a key we do not have and the key set cannot be fetched right now: not the client's
 * fault, so a 503 with {@code Retry-After} rather than a 401. Internal control flow, no stack.
 */
final class KeysUnavailable extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient Duration retryAfter;

    KeysUnavailable(String description, Duration retryAfter) {
        super(description, null, false, false);
        this.retryAfter = retryAfter;
    }

    Duration retryAfter() {
        return retryAfter;
    }
}
