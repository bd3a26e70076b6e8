package dev.harmony.pipeline;

import dev.harmony.message.Attribute;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.PipelineListener.Outcome;
import dev.harmony.pipeline.PipelineListener.StageEvent;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * One run through middleware and backend. Every stage was bridged once, at build time, into a
 * {@link Step}, so there is one chain and one path for timing, listeners and turning exceptions into
 * rejections. A blocking stage runs inline on a thread that may block (the caller of
 * {@link Pipeline#handle}, or the worker an earlier blocking stage of this exchange runs on) and
 * otherwise moves the exchange to the blocking executor, once.
 */
final class Exchange {

    /** A stage in the one form the engine runs. */
    @FunctionalInterface
    interface Step {
        CompletionStage<Response> run(Link link) throws Exception;
    }

    /** What a stage and everything after it came to: the response, and the outcome for the exchange. */
    record Result(Response response, Outcome outcome) {
    }

    private final Pipeline pipeline;
    private final String id;
    private final Executor blocking;
    /** Stage times are only measured for listeners; without any when it starts, no clock is read. */
    private final boolean timed;
    /** The thread of this exchange that may block now, if any; only ever compared with the current one. */
    private volatile Thread mayBlock;

    Exchange(Pipeline pipeline, String id, Executor blocking, Thread mayBlock) {
        this.pipeline = pipeline;
        this.id = id;
        this.blocking = blocking;
        this.mayBlock = mayBlock;
        this.timed = !pipeline.listeners().isEmpty();
    }

    /** The bridge from a stage to a {@link Step}, made once per stage when the pipeline is built. */
    static Step step(Stage stage) {
        if (stage instanceof AsyncMiddleware m) {
            return m::intercept;
        }
        if (stage instanceof Middleware m) {
            return link -> link.exchange().blocking(() -> m.intercept(link.blockingChain()));
        }
        if (stage instanceof AsyncBackend b) {
            return link -> b.handleAsync(link.request());
        }
        Backend b = (Backend) stage;
        return link -> link.exchange().blocking(() -> b.handle(link.request()));
    }

    CompletableFuture<Result> run(Request request) {
        return invoke(0, request);
    }

    /** Runs stage {@code index}; the future always completes normally unless the engine itself is broken. */
    private CompletableFuture<Result> invoke(int index, Request request) {
        Link link = new Link(index, request);
        long started = timed ? System.nanoTime() : 0;
        CompletionStage<Response> answer;
        try {
            answer = pipeline.steps().get(index).run(link);
            if (answer == null) {
                throw new IllegalStateException("stage returned no future");
            }
        } catch (Throwable t) {
            answer = CompletableFuture.failedFuture(t);
        }
        CompletableFuture<Result> done = new CompletableFuture<>();
        answer.whenComplete((response, failure) -> {
            try {
                done.complete(finish(index, response, failure, started, link));
            } catch (Throwable bug) {
                done.completeExceptionally(bug);
            }
        });
        return done;
    }

    /** Runs blocking work here if this thread may block, else on the blocking executor. */
    private CompletionStage<Response> blocking(Callable<Response> work) {
        CompletableFuture<Response> done = new CompletableFuture<>();
        if (Thread.currentThread() == mayBlock) {
            call(work, done);
            return done;
        }
        blocking.execute(() -> {
            Thread previous = mayBlock;
            mayBlock = Thread.currentThread();
            try {
                call(work, done);
            } finally {
                mayBlock = previous;
            }
        });
        return done;
    }

    private static void call(Callable<Response> work, CompletableFuture<Response> done) {
        try {
            done.complete(work.call());
        } catch (Throwable t) {
            if (t instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            done.completeExceptionally(t);
        }
    }

    /** Decides the stage's outcome from what happened, tells the listeners, and returns what travels back. */
    private Result finish(int index, Response response, Throwable failure, long started, Link link) {
        Pipeline.Named<?> stage = pipeline.named(index);
        Throwable cause = failure == null && response == null ? new IllegalStateException("stage returned no response")
                : failure == null ? null : cause(failure);
        Outcome own;
        Outcome overall;
        if (cause == null) {
            Result down = link.downstream;
            boolean handedBack = down != null && response.rejection().isPresent()
                    && response.rejection().get().sameOrigin(down.response().rejection().orElse(null));
            own = response.rejection().isPresent() && !handedBack ? Outcome.REJECTED : Outcome.PASSED;
            overall = handedBack ? down.outcome() : own;
        } else {
            RejectionException rejected = findRejection(cause);
            if (rejected != null) {
                response = Response.rejected(rejected.rejection());
                own = Outcome.REJECTED;
                cause = null;
            } else {
                ErrorLog.error(pipeline.log(), cause, "[{}] pipeline '{}': stage '{}' failed", id, pipeline.name(),
                        stage.name());
                response = Response.rejected(Rejection.internal(
                        "internal error in stage '" + stage.name() + "' (correlation id " + id + ")").withReason(id));
                own = Outcome.FAILED;
            }
            overall = own;
        }
        if (!pipeline.listeners().isEmpty()) {
            long self = timed ? Math.max(0, System.nanoTime() - started - link.downstreamNanos) : 0;
            StageEvent event = new StageEvent(pipeline.name(), id, stage.name(), pipeline.role(index), own,
                    own == Outcome.PASSED ? null : response.rejection().orElseThrow(), cause, self);
            for (PipelineListener l : pipeline.listeners()) {
                pipeline.notifyQuietly(() -> l.stageFinished(event));
            }
        }
        return new Result(response, overall);
    }

    /** The failure behind {@link CompletionException}/{@link ExecutionException} wrappers. */
    private static Throwable cause(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
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
     * The one chain: what stage {@code index} sees. It remembers what downstream returned to the stage, so
     * the stage's own time and own rejections can be told apart from downstream's. Written by whichever
     * thread completes downstream.
     */
    final class Link implements AsyncMiddleware.AsyncChain {
        private final int index;
        private final Request request;
        private volatile long downstreamNanos;
        private volatile Result downstream;

        Link(int index, Request request) {
            this.index = index;
            this.request = request;
        }

        Exchange exchange() {
            return Exchange.this;
        }

        @Override
        public Request request() {
            return request;
        }

        @Override
        public CompletionStage<Response> proceed(Request next) {
            Guarded<Response> answer = new Guarded<>();
            forward(next).whenComplete((r, t) -> {
                if (t == null) {
                    answer.complete(r.response());
                } else {
                    answer.completeExceptionally(t);
                }
            });
            return answer;
        }

        private CompletableFuture<Result> forward(Request next) {
            if (next == null) {
                throw new IllegalArgumentException("proceed(null)");
            }
            if (index + 1 >= pipeline.steps().size()) {
                throw new IllegalStateException("the backend has no chain to proceed on");
            }
            Request withId = next.attribute(Attribute.EXCHANGE_ID).isEmpty() ? next.with(Attribute.EXCHANGE_ID, id)
                    : next;
            long started = timed ? System.nanoTime() : 0;
            return invoke(index + 1, withId).whenComplete((r, t) -> {
                if (timed) {
                    downstreamNanos += System.nanoTime() - started;
                }
                downstream = r;
            });
        }

        /** The blocking view of this chain, for a {@link Middleware}; it runs on a thread that may block. */
        Middleware.Chain blockingChain() {
            return new Middleware.Chain() {
                @Override
                public Request request() {
                    return request;
                }

                @Override
                public Response proceed(Request next) {
                    return forward(next).join().response();
                }

                @Override
                public String pipeline() {
                    return pipeline.name();
                }
            };
        }

        @Override
        public Executor blockingExecutor() {
            return blocking;
        }

        @Override
        public String pipeline() {
            return pipeline.name();
        }

        /**
         * The future an {@link AsyncMiddleware} gets from {@link #proceed}, and every future derived from
         * it: waiting for it unfinished on a thread that must not block (an event loop, where the answer
         * may need that very thread) fails at once instead of hanging the exchange.
         */
        private final class Guarded<T> extends CompletableFuture<T> {
            @Override
            public <U> CompletableFuture<U> newIncompleteFuture() {
                return new Guarded<>();
            }

            @Override
            public T join() {
                mayWait();
                return super.join();
            }

            @Override
            public T get() throws InterruptedException, ExecutionException {
                mayWait();
                return super.get();
            }

            @Override
            public T get(long timeout, TimeUnit unit)
                    throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
                mayWait();
                return super.get(timeout, unit);
            }

            private void mayWait() {
                if (!isDone() && Thread.currentThread() != mayBlock) {
                    throw new IllegalStateException("AsyncMiddleware '" + pipeline.named(index).name()
                            + "' waited on its chain; an AsyncMiddleware must never block:"
                            + " use thenApply/thenCompose or make it a Middleware");
                }
            }
        }
    }
}
