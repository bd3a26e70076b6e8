package dev.harmony.pipeline;

import dev.harmony.message.Request;
import dev.harmony.message.Response;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Middleware that never blocks its thread, so a frontend may run it on its event loop (Undertow's IO
 * threads): no hand-off to a worker thread per exchange. Same shape as {@link Middleware}, but the chain
 * only offers a {@link CompletionStage}, so waiting for it cannot be written by accident:
 *
 * <pre>{@code
 * AsyncMiddleware tag = chain -> chain.proceed(chain.request())
 *         .thenApply(response -> response.withHeader("X-Served-By", "harmony"));
 * }</pre>
 *
 * <p>Never wait on anything here (no I/O, no long locks); hand slow work to
 * {@link AsyncChain#blockingExecutor()} and continue when it completes. Waiting for the chain's future
 * on a thread that must not block fails at once with an {@link IllegalStateException} naming the stage.
 */
@FunctionalInterface
public non-sealed interface AsyncMiddleware extends MiddlewareStage {

    /**
     * Handles one exchange without blocking. Throwing or completing exceptionally works as in
     * {@link Middleware#intercept}: a {@link RejectionException} rejects, anything else is an internal error.
     */
    CompletionStage<Response> intercept(AsyncChain chain) throws Exception;

    /** The rest of the pipeline as seen from one asynchronous middleware. */
    interface AsyncChain {
        /** The request as the previous stage passed it. */
        Request request();

        /** Starts the rest of the pipeline. Never completes exceptionally; failures come back as rejected responses. */
        CompletionStage<Response> proceed(Request request);

        /**
         * Where to run work that may block now and then (fetching keys, asking a remote store): the
         * frontend's worker threads on a non-blocking run, the calling thread on a blocking one.
         */
        Executor blockingExecutor();

        /** The name of the pipeline, for logs. */
        String pipeline();
    }
}
