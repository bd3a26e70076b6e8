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

    /**
     * A queue stage tried to deliver an exchange it had accepted (and answered) earlier; called on the
     * queue's worker thread, once per attempt, also for attempts after a restart.
     */
    default void deliveryAttempted(DeliveryEvent event) {
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

    /**
     * What one delivery attempt decided for its message: the destination took it, it failed and is tried
     * again later, or it failed for good (a permanent refusal, or out of attempts or age) and is dead.
     */
    enum Delivery { DELIVERED, RETRY_SCHEDULED, DEAD }

    /**
     * One delivery attempt of a queued exchange.
     *
     * @param pipeline the pipeline that accepted the exchange
     * @param exchangeId the accepted exchange's correlation id
     * @param destination the queue's destination name
     * @param messageId the queue's message id
     * @param attempt which attempt this was (1 = the first)
     * @param outcome what the attempt decided
     * @param rejection the destination's refusal (or the failure as an internal rejection), null if delivered
     * @param durationNanos how long the destination took to answer
     */
    record DeliveryEvent(String pipeline, String exchangeId, String destination, String messageId, int attempt,
            Delivery outcome, Rejection rejection, long durationNanos) {
    }

    /** Where a stage sits in a pipeline. */
    enum Role {
        MIDDLEWARE, BACKEND
    }
}
