package dev.harmony.fhir.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.harmony.message.Json;
import dev.harmony.pipeline.Rejection;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * The POST {@link FhirClient} sends for one resource: where to, what, and whether repeating it is safe.
 *
 * @param target the request target (path, no query): the base's for a transaction, {@code base/Type} for a
 *     plain create
 * @param body the JSON to send
 * @param ifNoneExist the conditional-create criteria, or null
 * @param what a short description for messages, e.g. {@code transaction Bundle with Patient}
 * @param transaction whether the server's answer is a transaction-response Bundle
 */
record Outgoing(String target, JsonNode body, String ifNoneExist, String what, boolean transaction) {

    /** Whether sending it twice cannot create two resources. */
    boolean idempotent() {
        return ifNoneExist != null;
    }

    /** @param base the base's path without a trailing slash (empty for the root) */
    static Outgoing of(String base, JsonNode resource, boolean asTransaction, IdentifierCondition condition) {
        String type = resource.path("resourceType").textValue();
        if (type == null || type.isBlank()) {
            throw Rejection.invalid("the body is not a FHIR resource: it has no 'resourceType'",
                    List.of(new Rejection.Issue("resourceType", "missing"))).toException();
        }
        if (!type.chars().allMatch(Character::isLetter)) {
            throw Rejection.invalid("the body is not a FHIR resource: resourceType '" + type + "' is not a name",
                    List.of(new Rejection.Issue("resourceType", "invalid"))).toException();
        }
        if (type.equals("Bundle")) {
            String bundleType = resource.path("type").asText("");
            if (bundleType.equals("transaction") || bundleType.equals("batch")) {
                // Already a transaction or batch: the caller decided its entries and conditions.
                return new Outgoing(root(base), resource, null, bundleType + " Bundle", true);
            }
        }
        String criteria = condition == null ? null : condition.criteriaFor(resource);
        if (!asTransaction) {
            return new Outgoing(base + "/" + type, resource, criteria, type, false); // type is letters only
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
        return new Outgoing(root(base), bundle, criteria, "transaction Bundle with " + type, true);
    }

    private static String root(String base) {
        return base.isEmpty() ? "/" : base;
    }

    /**
     * A conditional create on the identifier of one system (e.g. the MRN's), wherever it stands in the
     * resource's list: matching on whichever identifier comes first would let a resend with the list in
     * another order create a second resource.
     */
    record IdentifierCondition(String system) {

        /**
         * {@code identifier=<system>|<value>} from the identifier of {@link #system()}.
         *
         * @throws dev.harmony.pipeline.RejectionException (422) if the resource has no identifier of that
         *     system with a value, or two with different values: without one key a create is not idempotent
         */
        String criteriaFor(JsonNode resource) {
            String value = null;
            for (JsonNode id : resource.path("identifier")) {
                String v = id.path("value").textValue();
                if (system.equals(id.path("system").textValue()) && v != null && !v.isBlank()) {
                    if (value != null && !value.equals(v)) {
                        throw refusal("has two identifiers of system '" + system + "' ('" + value + "' and '" + v
                                + "'): a conditional create needs exactly one");
                    }
                    value = v;
                }
            }
            if (value == null) {
                throw refusal("has no identifier of system '" + system + "': the conditional create keys on it, "
                        + "so that resending never creates a second resource");
            }
            return "identifier=" + encode(system) + "|" + encode(value);
        }

        private RuntimeException refusal(String problem) {
            return Rejection.invalid("the resource " + problem,
                    List.of(new Rejection.Issue("identifier", problem))).toException();
        }

        private static String encode(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8);
        }
    }
}
