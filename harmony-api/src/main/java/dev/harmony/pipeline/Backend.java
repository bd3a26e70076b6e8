package dev.harmony.pipeline;

import dev.harmony.message.Request;
import dev.harmony.message.Response;

/** The terminal stage: stores, sends or answers, and returns the response that travels back. */
@FunctionalInterface
public interface Backend extends Stage {

    /** Handles one exchange. Throw {@link RejectionException} or return a rejected response to refuse it. */
    Response handle(Request request) throws Exception;

    /** Opens resources (connection pools, directories). Called before middleware and frontend start. */
    default void start() throws Exception {
    }

    /** Releases what {@link #start()} opened. */
    default void stop() {
    }
}
