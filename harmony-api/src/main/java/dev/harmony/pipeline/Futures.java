package dev.harmony.pipeline;

import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/** Waiting for a stage's future the way a blocking caller expects: its own exception, not a wrapper. */
final class Futures {
    private Futures() {
    }

    static <T> T join(CompletionStage<T> stage) throws Exception {
        if (stage == null) {
            throw new IllegalStateException("stage returned no future");
        }
        try {
            return stage.toCompletableFuture().get();
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        }
    }

    /** The failure behind {@link CompletionException}/{@link ExecutionException} wrappers. */
    static Throwable cause(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    private static Exception unwrap(Throwable t) {
        Throwable c = cause(t);
        if (c instanceof Exception e) {
            return e;
        }
        if (c instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(c);
    }
}
