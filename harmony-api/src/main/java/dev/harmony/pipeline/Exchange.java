package dev.harmony.pipeline;

import dev.harmony.message.Attribute;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Pipeline.Named;
import dev.harmony.pipeline.PipelineListener.Outcome;
import dev.harmony.pipeline.PipelineListener.Role;
import dev.harmony.pipeline.PipelineListener.StageEvent;
import java.util.List;

/** One run through middleware and backend: times each stage and turns exceptions into rejections. */
final class Exchange {
    private final Pipeline pipeline;
    private final String id;

    Exchange(Pipeline pipeline, String id) {
        this.pipeline = pipeline;
        this.id = id;
    }

    Response run(Request request) {
        return invoke(0, request);
    }

    private Response invoke(int index, Request request) {
        List<Named<Middleware>> middleware = pipeline.middleware();
        boolean isBackend = index >= middleware.size();
        Named<? extends Stage> stage = isBackend ? pipeline.backend() : middleware.get(index);
        Downstream downstream = new Downstream(index, request);
        long started = System.nanoTime();
        Response response;
        Outcome outcome;
        try {
            response = isBackend
                    ? pipeline.backend().stage().handle(request)
                    : middleware.get(index).stage().intercept(downstream);
            if (response == null) {
                throw new IllegalStateException("stage returned no response");
            }
            outcome = ownRejection(response, downstream.last) ? Outcome.REJECTED : Outcome.PASSED;
        } catch (Throwable t) {
            if (t instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            RejectionException rejected = findRejection(t);
            if (rejected != null) {
                response = Response.rejected(rejected.rejection());
                outcome = Outcome.REJECTED;
            } else {
                pipeline.log().error("[{}] pipeline '{}': stage '{}' failed", id, pipeline.name(), stage.name(), t);
                response = Response.rejected(Rejection.internal(
                        "internal error in stage '" + stage.name() + "' (correlation id " + id + ")")
                        .withReason(id));
                outcome = Outcome.FAILED;
            }
        }
        long self = System.nanoTime() - started - downstream.nanos;
        StageEvent event = new StageEvent(pipeline.name(), id, stage.name(),
                isBackend ? Role.BACKEND : Role.MIDDLEWARE, outcome, response.rejection().orElse(null), self);
        for (PipelineListener l : pipeline.listeners()) {
            pipeline.notifyQuietly(() -> l.stageFinished(event));
        }
        return response;
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

    /** The chain one middleware sees; it tracks the time spent downstream so stage times exclude it. */
    private final class Downstream implements Middleware.Chain {
        private final int index;
        private final Request request;
        private long nanos;
        private Response last;

        Downstream(int index, Request request) {
            this.index = index;
            this.request = request;
        }

        @Override
        public Request request() {
            return request;
        }

        @Override
        public Response proceed(Request next) {
            if (next == null) {
                throw new IllegalArgumentException("proceed(null)");
            }
            if (next.attribute(Attribute.EXCHANGE_ID).isEmpty()) {
                next = next.with(Attribute.EXCHANGE_ID, id);
            }
            long started = System.nanoTime();
            try {
                last = invoke(index + 1, next);
                return last;
            } finally {
                nanos += System.nanoTime() - started;
            }
        }

        @Override
        public String pipeline() {
            return pipeline.name();
        }
    }
}
