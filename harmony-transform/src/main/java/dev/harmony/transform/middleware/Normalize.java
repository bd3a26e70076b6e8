package dev.harmony.transform.middleware;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Middleware;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cleans a JSON body the way mapped payloads usually need: trims strings, and drops {@code null}s, empty
 * strings and the arrays/objects left empty by that (recursively). Legacy systems send {@code ""} and
 * {@code null} for "unknown"; FHIR forbids empty values, so this typically runs right after a
 * {@link Jolt} transform. Opt-in; every rule can be switched off.
 *
 * <pre>{@code
 * Middleware tidy = Normalize.json().build();                      // all rules
 * Middleware trimOnly = Normalize.json().dropEmpty(false).build(); // only trim
 * }</pre>
 *
 * <p>The input tree is not modified; the stage builds a cleaned copy. If the whole body ends up empty it
 * is passed on as an empty object, so the next stage still sees JSON.
 */
public final class Normalize implements Middleware {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final boolean trim;
    private final boolean dropEmpty;
    private final Side side;

    private Normalize(Builder b) {
        this.trim = b.trim;
        this.dropEmpty = b.dropEmpty;
        this.side = b.side;
    }

    /** Starts configuring a normalisation of JSON bodies. */
    public static Builder json() {
        return new Builder();
    }

    @Override
    public Response intercept(Chain chain) {
        return JsonStep.run(chain, side, JsonStep.onTree(this::clean), null);
    }

    /** The cleaned copy of {@code node}. */
    JsonNode clean(JsonNode node) {
        JsonNode cleaned = cleanValue(node);
        return cleaned == null ? NODES.objectNode() : cleaned;
    }

    /** Returns null when the value should be dropped. */
    private JsonNode cleanValue(JsonNode node) {
        switch (node.getNodeType()) {
            case OBJECT: {
                // Filled first, wrapped once: cheaper than ObjectNode.set per field.
                Map<String, JsonNode> kept = new LinkedHashMap<>(Math.max(4, node.size() * 4 / 3 + 1));
                for (Map.Entry<String, JsonNode> f : node.properties()) {
                    JsonNode v = cleanValue(f.getValue());
                    if (v != null) {
                        kept.put(f.getKey(), v);
                    }
                }
                return dropEmpty && kept.isEmpty() ? null : new ObjectNode(NODES, kept);
            }
            case ARRAY: {
                List<JsonNode> kept = new ArrayList<>(node.size());
                for (JsonNode item : node) {
                    JsonNode v = cleanValue(item);
                    if (v != null) {
                        kept.add(v);
                    }
                }
                return dropEmpty && kept.isEmpty() ? null : new ArrayNode(NODES, kept);
            }
            case STRING: {
                String s = trim ? node.textValue().strip() : node.textValue();
                if (dropEmpty && s.isEmpty()) {
                    return null;
                }
                return s.equals(node.textValue()) ? node : NODES.textNode(s);
            }
            case NULL:
            case MISSING:
                return dropEmpty ? null : node;
            default:
                return node;
        }
    }

    @Override
    public Description describe() {
        List<String> rules = new ArrayList<>();
        if (trim) {
            rules.add("trim strings");
        }
        if (dropEmpty) {
            rules.add("drop null/empty");
        }
        return new Description("Normalize", rules.isEmpty() ? "no rules" : String.join(", ", rules));
    }

    /** Configures a {@link Normalize} stage; every rule is on by default. */
    public static final class Builder {
        private boolean trim = true;
        private boolean dropEmpty = true;
        private Side side = Side.REQUEST;

        private Builder() {
        }

        /** Whether to strip leading and trailing white space from strings. */
        public Builder trimStrings(boolean value) {
            this.trim = value;
            return this;
        }

        /** Whether to drop nulls, empty strings, and arrays/objects that are (or became) empty. */
        public Builder dropEmpty(boolean value) {
            this.dropEmpty = value;
            return this;
        }

        /** Normalises successful responses on their way back instead of the request. */
        public Builder onResponse() {
            this.side = Side.RESPONSE;
            return this;
        }

        /** The configured stage. */
        public Normalize build() {
            return new Normalize(this);
        }
    }
}
