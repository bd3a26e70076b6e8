package dev.harmony.pipeline;

import dev.harmony.message.Request;
import dev.harmony.message.Response;
import java.util.concurrent.CompletionStage;

/**
 * A backend that answers without blocking its thread (a non-blocking network client, say), so a
 * frontend on an event loop can run the whole exchange there.
 */
@FunctionalInterface
public non-sealed interface AsyncBackend extends BackendStage {

    /**
     * Starts handling one exchange and returns at once. Throwing or completing exceptionally works as
     * in {@link Backend#handle}.
     */
    CompletionStage<Response> handleAsync(Request request) throws Exception;
}
