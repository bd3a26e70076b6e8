package dev.harmony.pipeline;

import dev.harmony.message.Request;
import dev.harmony.message.Response;

/**
 * Observes a pipeline without being part of it: metrics, live diagrams, audit. Called on whichever
 * thread finished the step (stages may complete on other threads), so keep it quick, thread-safe, and
 * never throw (exceptions are logged and ignored). Outcomes are decided by the pipeline from what
 * actually happened; there is nothing to infer from statuses or messages.
 */
public interface PipelineListener {

    /** An exchange entered the pipeline. */
    default void exchangeStarted(String pipeline, String exchangeId, Request request) {
    }

    /** One stage finished its part of an exchange. */
    default void stageFinished(StageEvent event) {
    }

    /** The exchange left the pipeline. */
    default void exchangeFinished(ExchangeEvent event) {
    }

    /** How a stage, or a whole exchange, ended. */
    enum Outcome {
        /** Middleware handed the exchange on, or the backend answered without a rejection. */
        PASSED,
        /** The stage refused the exchange with its own {@link Rejection}. */
        REJECTED,
        /** The stage threw an unexpected exception (answered as an internal-error rejection). */
        FAILED
    }

    /**
     * One stage's part in one exchange.
     *
     * @param pipeline pipeline name
     * @param exchangeId the exchange's correlation id
     * @param stage the stage's name in the pipeline
     * @param role MIDDLEWARE or BACKEND
     * @param outcome how the stage left the exchange; a rejection it only handed back from downstream
     *        counts as PASSED here (and as the downstream stage's REJECTED)
     * @param rejection the stage's own rejection for REJECTED and FAILED, else null
     * @param failure what the stage threw, for FAILED, else null
     * @param selfNanos time spent in the stage itself, excluding later stages (0 if no listener was
     *        attached when the exchange started)
     */
    record StageEvent(String pipeline, String exchangeId, String stage, Role role, Outcome outcome,
            Rejection rejection, Throwable failure, long selfNanos) {
    }

    /**
     * One exchange, as it left the pipeline.
     *
     * @param pipeline pipeline name
     * @param exchangeId the exchange's correlation id
     * @param request the request as it entered the pipeline
     * @param response what the frontend answers
     * @param outcome PASSED if the answer is no rejection, else how the stage that rejected it ended
     *        (REJECTED, or FAILED when the answer is the internal error of a stage that threw)
     * @param durationNanos time from entering to leaving (0 if no listener was attached when it started)
     */
    record ExchangeEvent(String pipeline, String exchangeId, Request request, Response response, Outcome outcome,
            long durationNanos) {
    }

    /** Where a stage sits in a pipeline. */
    enum Role {
        MIDDLEWARE, BACKEND
    }
}
