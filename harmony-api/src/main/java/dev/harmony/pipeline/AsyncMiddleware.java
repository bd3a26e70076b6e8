package dev.harmony.pipeline;

import dev.harmony.message.Response;
import java.util.concurrent.CompletionStage;

/**
 * Middleware that never blocks its thread, so a frontend may run it on its event loop (Undertow's IO
 * threads) together with an {@link AsyncBackend}: no hand-off to a worker thread per exchange. It has
 * the same shape as {@link Middleware}, with {@link Chain#proceedAsync} in place of {@code proceed}:
 *
 * <pre>{@code
 * AsyncMiddleware tag = chain -> chain.proceedAsync(chain.request())
 *         .thenApply(response -> response.withHeader("X-Served-By", "harmony"));
 * }</pre>
 *
 * <p>Never wait on anything here (no I/O, no locks held for long, no {@code join()}); hand slow work
 * to an executor and continue when it completes. Blocking frontends run it too: {@link #intercept}
 * waits for the result.
 */
@FunctionalInterface
public interface AsyncMiddleware extends Middleware {

    /**
     * Handles one exchange without blocking. Throwing or completing exceptionally works as in
     * {@link Middleware#intercept}: a {@link RejectionException} rejects, anything else is an internal error.
     */
    CompletionStage<Response> interceptAsync(Chain chain) throws Exception;

    /** Runs {@link #interceptAsync} and waits for it. */
    @Override
    default Response intercept(Chain chain) throws Exception {
        return Futures.join(interceptAsync(chain));
    }
}
