package dev.harmony.fhir.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.harmony.message.Json;
import dev.harmony.pipeline.Rejection;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import okhttp3.HttpUrl;

/**
 * The POST {@link FhirClient} sends for one resource: where to, what, and whether repeating it is safe.
 *
 * @param url the target: the base for a transaction, {@code base/Type} for a plain create
 * @param body the JSON to send
 * @param ifNoneExist the conditional-create criteria, or null
 * @param what a short description for messages, e.g. {@code transaction Bundle with Patient}
 * @param transaction whether the server's answer is a transaction-response Bundle
 */
record Outgoing(HttpUrl url, JsonNode body, String ifNoneExist, String what, boolean transaction) {

    /** Whether sending it twice cannot create two resources. */
    boolean idempotent() {
        return ifNoneExist != null;
    }

    static Outgoing of(HttpUrl base, JsonNode resource, boolean asTransaction, IdentifierCondition condition) {
        String type = resource.path("resourceType").textValue();
        if (type == null || type.isBlank()) {
            throw Rejection.invalid("the body is not a FHIR resource: it has no 'resourceType'",
                    List.of(new Rejection.Issue("resourceType", "missing"))).toException();
        }
        if (!type.chars().allMatch(Character::isLetter)) {
            throw Rejection.invalid("the body is not a FHIR resource: resourceType '" + type + "' is not a name",
                    List.of(new Rejection.Issue("resourceType", "invalid"))).toException();
        }
        String criteria = condition == null ? null : condition.criteriaFor(resource);
        if (type.equals("Bundle")) {
            String bundleType = resource.path("type").asText("");
            if (bundleType.equals("transaction") || bundleType.equals("batch")) {
                // Already a transaction or batch: the caller decided its entries and conditions.
                return new Outgoing(base, resource, null, bundleType + " Bundle", true);
            }
        }
        if (!asTransaction) {
            return new Outgoing(base.newBuilder().addPathSegment(type).build(), resource, criteria, type, false);
        }
        ObjectNode bundle = Json.mapper().createObjectNode();
        bundle.put("resourceType", "Bundle").put("type", "transaction");
        ObjectNode entry = bundle.putArray("entry").addObject();
        entry.put("fullUrl", "urn:uuid:" + UUID.randomUUID());
        entry.set("resource", resource);
        ObjectNode request = entry.putObject("request").put("method", "POST").put("url", type);
        if (criteria != null) {
            request.put("ifNoneExist", criteria);
        }
        return new Outgoing(base, bundle, criteria, "transaction Bundle with " + type, true);
    }

    /** Chooses the identifier a conditional create matches on. */
    record IdentifierCondition(String system) {

        /** {@code identifier=<system>|<value>} from the chosen identifier, or null if the resource has none. */
        String criteriaFor(JsonNode resource) {
            for (JsonNode id : resource.path("identifier")) {
                String s = id.path("system").textValue();
                String v = id.path("value").textValue();
                if (s != null && v != null && !v.isBlank() && (system == null || system.equals(s))) {
                    return "identifier=" + encode(s) + "|" + encode(v);
                }
            }
            return null;
        }

        private static String encode(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8);
        }
    }
}
