package dev.harmony.pipeline;

/**
 * A stage between frontend and backend: either a blocking {@link Middleware} or a non-blocking
 * {@link AsyncMiddleware}. Sealed, so the pipeline knows at build time how to run each one.
 */
public sealed interface MiddlewareStage extends Stage permits Middleware, AsyncMiddleware {

    /** Opens resources (caches, clients). Called before the frontend starts. */
    default void start() throws Exception {
    }

    /** Releases what {@link #start()} opened. */
    default void stop() {
    }
}
