package dev.harmony.pipeline;

import dev.harmony.message.Request;
import dev.harmony.message.Response;

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
 * <p>A middleware may block (read a file, call a service): frontends on an event loop run it on a worker
 * thread. One that never blocks can say so by being an {@link AsyncMiddleware} instead.
 */
@FunctionalInterface
public non-sealed interface Middleware extends MiddlewareStage {

    /** Handles one exchange. Exceptions become an internal-error rejection; they never reach the listener. */
    Response intercept(Chain chain) throws Exception;

    /** The rest of the pipeline as seen from one middleware. */
    interface Chain {
        /** The request as the previous stage passed it. */
        Request request();

        /** Runs the rest of the pipeline and waits for it. Never throws; failures come back as rejected responses. */
        Response proceed(Request request);

        /** The name of the pipeline, for logs. */
        String pipeline();
    }
}
