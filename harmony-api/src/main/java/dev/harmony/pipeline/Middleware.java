package dev.harmony.pipeline;

import dev.harmony.message.Request;
import dev.harmony.message.Response;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * A stage between frontend and backend, in the shape of an OkHttp interceptor: look at
 * {@link Chain#request()}, optionally change it, call {@link Chain#proceed} and optionally change the
 * response, or return {@link Response#rejected(Rejection)} without proceeding.
 *
 * <pre>{@code
 * Middleware audit = chain -> {
 *     log.info("-> {}", chain.request());
 *     return chain.proceed(chain.request());
 * };
 * }</pre>
 *
 * <p>A middleware may block (read a file, call a service); frontends on event loops then run it on a
 * worker thread. One that never blocks can say so by implementing {@link AsyncMiddleware}.
 */
@FunctionalInterface
public interface Middleware extends Stage {

    /** Handles one exchange. Exceptions become an internal-error rejection; they never reach the listener. */
    Response intercept(Chain chain) throws Exception;

    /** Opens resources (caches, clients). Called before the frontend starts. */
    default void start() throws Exception {
    }

    /** Releases what {@link #start()} opened. */
    default void stop() {
    }

    /** The rest of the pipeline as seen from one middleware. */
    interface Chain {
        /** The request as the previous stage passed it. */
        Request request();

        /** Runs the rest of the pipeline. Never throws; failures come back as rejected responses. */
        Response proceed(Request request);

        /**
         * Runs the rest of the pipeline without blocking this thread, for {@link AsyncMiddleware}. Never
         * completes exceptionally; failures come back as rejected responses.
         */
        CompletionStage<Response> proceedAsync(Request request);

        /**
         * Where an {@link AsyncMiddleware} runs work that may block now and then (fetching keys, asking
         * a remote store): the frontend's worker threads on a non-blocking run, the calling thread on a
         * blocking one.
         */
        Executor blockingExecutor();

        /** The name of the pipeline, for logs. */
        String pipeline();
    }
}
