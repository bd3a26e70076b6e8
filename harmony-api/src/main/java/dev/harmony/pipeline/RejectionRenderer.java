package dev.harmony.pipeline;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.harmony.message.Body;
import dev.harmony.message.Json;
import java.util.Locale;

/**
 * Turns a rejection into the body of an answer, for protocols whose errors carry one (HTTP). The
 * status and headers come from the rejection itself; this decides only the body's format, so one
 * frontend can answer plain JSON and another a FHIR {@code OperationOutcome}.
 */
@FunctionalInterface
public interface RejectionRenderer {

    Body render(Rejection rejection);

    /**
     * A small JSON error: {@code {"error":"too_many_requests","message":"...","details":[{"location":..,"message":..}]}}.
     */
    static RejectionRenderer json() {
        return rejection -> {
            ObjectNode root = Json.mapper().createObjectNode();
            root.put("error", rejection.kind().name().toLowerCase(Locale.ROOT));
            root.put("message", rejection.message());
            rejection.reason().ifPresent(r -> root.put("reason", r));
            rejection.retryAfter().ifPresent(d -> root.put("retryAfterSeconds", Math.max(1, d.toSeconds())));
            if (!rejection.details().isEmpty()) {
                ArrayNode details = root.putArray("details");
                for (Rejection.Issue i : rejection.details()) {
                    details.addObject().put("location", i.location()).put("message", i.message());
                }
            }
            return Body.ofJson(root);
        };
    }
}
