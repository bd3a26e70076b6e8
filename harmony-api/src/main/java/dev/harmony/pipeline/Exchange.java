package dev.harmony.pipeline;

import dev.harmony.message.Attribute;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Pipeline.Named;
import dev.harmony.pipeline.PipelineListener.Outcome;
import dev.harmony.pipeline.PipelineListener.Role;
import dev.harmony.pipeline.PipelineListener.StageEvent;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * One run through middleware and backend: times each stage and turns exceptions into rejections.
 * {@link #run} goes through every stage on the calling thread. {@link #runAsync} runs non-blocking
 * stages ({@link AsyncMiddleware}, {@link AsyncBackend}) on the calling thread and, at the first stage
 * that may block, continues on the blocking executor, where the rest runs as in {@link #run}.
 */
final class Exchange {
    private final Pipeline pipeline;
    private final String id;
    private final Executor blocking;
    /** Stage times are only measured for listeners; without any when it starts, no clock is read. */
    private final boolean timed;

    Exchange(Pipeline pipeline, String id, Executor blocking) {
        this.pipeline = pipeline;
        this.id = id;
        this.blocking = blocking;
        this.timed = !pipeline.listeners().isEmpty();
    }

    Response run(Request request) {
        return invoke(0, request);
    }

    CompletionStage<Response> runAsync(Request request) {
        return invokeAsync(0, request, null);
    }

    private Response invoke(int index, Request request) {
        Downstream downstream = new Downstream(index, request, false);
        long started = timed ? System.nanoTime() : 0;
        Response response = null;
        Throwable failure = null;
        try {
            response = index < middleware().size()
                    ? middleware().get(index).stage().intercept(downstream)
                    : pipeline.backend().stage().handle(request);
        } catch (Throwable t) {
            failure = t;
        }
        return finish(index, response, failure, started, downstream);
    }

    /**
     * Runs stage {@code index} without blocking; {@code caller} (the chain of the middleware before it, or
     * null) learns the outcome and the time spent here in the same completion step, not in one of its own.
     */
    private CompletionStage<Response> invokeAsync(int index, Request request, Downstream caller) {
        boolean isBackend = index >= middleware().size();
        Stage stage = isBackend ? pipeline.backend().stage() : middleware().get(index).stage();
        long started = timed ? System.nanoTime() : 0;
        if (!(isBackend ? stage instanceof AsyncBackend : stage instanceof AsyncMiddleware)) {
            try {
                return CompletableFuture.supplyAsync(() -> reported(caller, invoke(index, request), started), blocking);
            } catch (RuntimeException refused) { // the executor is shut down or saturated
                Response r = finish(index, null, refused, started, new Downstream(index, request, true));
                return CompletableFuture.completedFuture(reported(caller, r, started));
            }
        }
        Downstream downstream = new Downstream(index, request, true);
        CompletionStage<Response> answer;
        try {
            answer = isBackend
                    ? ((AsyncBackend) stage).handleAsync(request)
                    : ((AsyncMiddleware) stage).interceptAsync(downstream);
            if (answer == null) {
                throw new IllegalStateException("stage returned no future");
            }
        } catch (Throwable t) {
            answer = CompletableFuture.failedFuture(t);
        }
        return answer.handle((response, failure) -> reported(caller,
                finish(index, response, failure == null ? null : Futures.cause(failure), started, downstream), started));
    }

    /** Tells {@code caller} (if any) what its downstream answered and how long that took. */
    private Response reported(Downstream caller, Response response, long started) {
        if (caller != null) {
            if (timed) {
                caller.nanos += System.nanoTime() - started;
            }
            caller.last = response;
        }
        return response;
    }

    /** Classifies a stage's outcome, reports it to the listeners and returns the response to pass back. */
    private Response finish(int index, Response response, Throwable failure, long started, Downstream downstream) {
        boolean isBackend = index >= middleware().size();
        Named<? extends Stage> stage = isBackend ? pipeline.backend() : middleware().get(index);
        if (failure == null && response == null) {
            failure = new IllegalStateException("stage returned no response");
        }
        Outcome outcome;
        if (failure == null) {
            outcome = ownRejection(response, downstream.last) ? Outcome.REJECTED : Outcome.PASSED;
        } else {
            if (failure instanceof InterruptedException && !downstream.async) {
                Thread.currentThread().interrupt();
            }
            RejectionException rejected = findRejection(failure);
            if (rejected != null) {
                response = Response.rejected(rejected.rejection());
                outcome = Outcome.REJECTED;
            } else {
                ErrorLog.error(pipeline.log(), failure, "[{}] pipeline '{}': stage '{}' failed", id, pipeline.name(),
                        stage.name());
                response = Response.rejected(Rejection.internal(
                        "internal error in stage '" + stage.name() + "' (correlation id " + id + ")")
                        .withReason(id));
                outcome = Outcome.FAILED;
            }
        }
        if (!pipeline.listeners().isEmpty()) {
            long self = timed ? System.nanoTime() - started - downstream.nanos : 0; // a listener added meanwhile
            StageEvent event = new StageEvent(pipeline.name(), id, stage.name(),
                    isBackend ? Role.BACKEND : Role.MIDDLEWARE, outcome, response.rejection().orElse(null), self);
            for (PipelineListener l : pipeline.listeners()) {
                pipeline.notifyQuietly(() -> l.stageFinished(event));
            }
        }
        return response;
    }

    private List<Named<Middleware>> middleware() {
        return pipeline.middleware();
    }

    /** A rejection is a stage's own unless it merely handed back what came from downstream. */
    private static boolean ownRejection(Response response, Response fromDownstream) {
        return response.rejection().isPresent()
                && (fromDownstream == null || response.rejection().get() != fromDownstream.rejection().orElse(null));
    }

    /** A rejection wrapped anywhere in the cause chain (bounded: causes can form a cycle). */
    private static RejectionException findRejection(Throwable t) {
        Throwable c = t;
        for (int depth = 0; c != null && depth < 32; depth++, c = c.getCause()) {
            if (c instanceof RejectionException r) {
                return r;
            }
        }
        return null;
    }

    /**
     * The chain one middleware sees; it tracks the time spent downstream so stage times exclude it.
     * In an asynchronous run the fields are written by whichever thread completes downstream.
     */
    private final class Downstream implements Middleware.Chain {
        private final int index;
        private final Request request;
        private final boolean async;
        private volatile long nanos;
        private volatile Response last;

        Downstream(int index, Request request, boolean async) {
            this.index = index;
            this.request = request;
            this.async = async;
        }

        @Override
        public Request request() {
            return request;
        }

        @Override
        public Response proceed(Request next) {
            if (async) {
                return proceedAsync(next).toCompletableFuture().join(); // never fails: see proceedAsync
            }
            next = withId(next);
            long started = timed ? System.nanoTime() : 0;
            try {
                last = invoke(index + 1, next);
                return last;
            } finally {
                if (timed) {
                    nanos += System.nanoTime() - started;
                }
            }
        }

        @Override
        public CompletionStage<Response> proceedAsync(Request next) {
            if (!async) {
                return CompletableFuture.completedFuture(proceed(next));
            }
            return invokeAsync(index + 1, withId(next), this);
        }

        private Request withId(Request next) {
            if (next == null) {
                throw new IllegalArgumentException("proceed(null)");
            }
            return next.attribute(Attribute.EXCHANGE_ID).isEmpty() ? next.with(Attribute.EXCHANGE_ID, id) : next;
        }

        @Override
        public Executor blockingExecutor() {
            return async ? blocking : Runnable::run;
        }

        @Override
        public String pipeline() {
            return pipeline.name();
        }
    }
}
