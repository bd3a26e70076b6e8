package dev.harmony.pipeline;

import dev.harmony.message.Request;
import dev.harmony.message.Response;
import java.util.concurrent.CompletionStage;

/**
 * A backend that answers without blocking its thread (a non-blocking network client, say), so a
 * frontend on an event loop can run the whole exchange there. Blocking frontends call
 * {@link #handle}, which waits for {@link #handleAsync}.
 */
@FunctionalInterface
public interface AsyncBackend extends Backend {

    /**
     * Starts handling one exchange and returns at once. Throwing or completing exceptionally works as
     * in {@link Backend#handle}.
     */
    CompletionStage<Response> handleAsync(Request request) throws Exception;

    /** Runs {@link #handleAsync} and waits for it. */
    @Override
    default Response handle(Request request) throws Exception {
        return Futures.join(handleAsync(request));
    }
}
