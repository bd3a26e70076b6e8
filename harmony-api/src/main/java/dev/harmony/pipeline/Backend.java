package dev.harmony.pipeline;

import dev.harmony.message.Request;
import dev.harmony.message.Response;

/** The terminal stage: stores, sends or answers, and returns the response that travels back. It may block. */
@FunctionalInterface
public non-sealed interface Backend extends BackendStage {

    /** Handles one exchange. Throw {@link RejectionException} or return a rejected response to refuse it. */
    Response handle(Request request) throws Exception;
}
