package dev.harmony.pipeline;

import dev.harmony.message.Request;
import dev.harmony.message.Response;

/**
 * The entry a running pipeline gives its frontend. It never throws: every failure comes back as a
 * response carrying a {@link Rejection}. Safe to call from many threads at once.
 */
@FunctionalInterface
public interface Handler {
    Response handle(Request request);
}
