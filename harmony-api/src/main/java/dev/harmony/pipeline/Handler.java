package dev.harmony.pipeline;

import dev.harmony.message.Request;
import dev.harmony.message.Response;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The entry a running pipeline gives its frontend. It never throws: every failure comes back as a
 * response carrying a {@link Rejection}. Safe to call from many threads at once.
 */
@FunctionalInterface
public interface Handler {
    /**
     * Runs one exchange with the calling thread as the place for blocking stages, and waits for it:
     * never call it from an event loop's thread (an {@link AsyncBackend} answering on that loop would
     * then wait for itself).
     */
    Response handle(Request request);

    /**
     * Runs one exchange without blocking the calling thread, for frontends on an event loop.
     * {@link AsyncMiddleware} and {@link AsyncBackend} run on the calling thread or where their futures
     * complete; the first blocking stage moves the exchange to {@code blocking}, once, and the blocking
     * stages after it run on that same worker. Never completes exceptionally. The default runs
     * {@link #handle} on {@code blocking}.
     */
    default CompletionStage<Response> handleAsync(Request request, Executor blocking) {
        return CompletableFuture.supplyAsync(() -> handle(request), blocking);
    }
}
