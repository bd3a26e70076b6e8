package dev.harmony.pipeline;

import dev.harmony.message.Request;
import dev.harmony.message.Response;

/**
 * Observes a pipeline without being part of it: metrics, live diagrams, audit. Called on the
 * exchange's own thread, so keep it quick and never throw (exceptions are logged and ignored).
 */
public interface PipelineListener {

    /** An exchange entered the pipeline. */
    default void exchangeStarted(String pipeline, String exchangeId, Request request) {
    }

    /** One stage finished its part of an exchange. */
    default void stageFinished(StageEvent event) {
    }

    /** The exchange left the pipeline with {@code response}. */
    default void exchangeFinished(String pipeline, String exchangeId, Response response, long durationNanos) {
    }

    /** How a stage left an exchange. */
    enum Outcome {
        /** Middleware handed the exchange on, or the backend answered without a rejection. */
        PASSED,
        /** The stage refused the exchange with a {@link Rejection}. */
        REJECTED,
        /** The stage threw an unexpected exception (reported as an internal-error rejection). */
        FAILED
    }

    /**
     * One stage's part in one exchange.
     *
     * @param pipeline pipeline name
     * @param exchangeId the exchange's correlation id
     * @param stage the stage's name in the pipeline
     * @param role FRONTEND, MIDDLEWARE or BACKEND
     * @param outcome how the stage left the exchange
     * @param rejection the rejection for REJECTED and FAILED, else null
     * @param selfNanos time spent in the stage itself, excluding later stages
     */
    record StageEvent(String pipeline, String exchangeId, String stage, Role role, Outcome outcome,
            Rejection rejection, long selfNanos) {
    }

    /** Where a stage sits in a pipeline. */
    enum Role {
        FRONTEND, MIDDLEWARE, BACKEND
    }
}
