package dev.harmony.transform.middleware;

import com.bazaarvoice.jolt.Chainr;
import com.fasterxml.jackson.databind.JsonNode;
import dev.harmony.message.Body;
import dev.harmony.message.Json;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Middleware;
import dev.harmony.pipeline.Rejection;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Transforms the JSON body with a JOLT spec (every jolt-core operation: {@code shift}, {@code default},
 * {@code remove}, {@code sort}, {@code cardinality}, {@code modify-overwrite-beta},
 * {@code modify-default-beta}, {@code modify-define-beta}, or a custom transform class).
 *
 * <pre>{@code
 * Middleware toFhir = Jolt.classpath("joltfhir/patient_to_fhir.json")
 *         .contentType("application/fhir+json")
 *         .build();
 * }</pre>
 *
 * <p>The spec is compiled once by {@link Builder#build()}; a bad spec fails there, naming the spec and
 * the JOLT error. At run time a body that is not JSON is rejected as {@code MALFORMED} (400), and a
 * payload the spec cannot handle (JOLT throws, or produces nothing) as {@code INVALID} (422). On the
 * response side ({@link Builder#onResponse()}) those become {@code UPSTREAM_UNAVAILABLE} (502), since the
 * caller is not at fault. The stage is thread-safe.
 */
public final class Jolt implements Middleware {
    private static final String WHAT = "JOLT spec";

    private final JsonSource spec;
    private final Chainr chainr;
    private final Side side;
    private final String contentType;

    private Jolt(Builder b, Chainr chainr) {
        this.spec = b.spec;
        this.chainr = chainr;
        this.side = b.side;
        this.contentType = b.contentType;
    }

    /** A transform with the spec in classpath resource {@code resource}, e.g. {@code joltfhir/patient_to_fhir.json}. */
    public static Builder classpath(String resource) {
        return new Builder(JsonSource.classpath(resource, WHAT));
    }

    /** A transform with the spec read from {@code file} (read once, when this is called). */
    public static Builder file(Path file) {
        return new Builder(JsonSource.file(file, WHAT));
    }

    /** A transform with the spec given as JSON text (a JOLT chain: an array of operations). */
    public static Builder json(String specJson) {
        return new Builder(JsonSource.inline(specJson, WHAT));
    }

    @Override
    public Response intercept(Chain chain) {
        return JsonStep.run(chain, side, (Body in) -> transform(in), contentType);
    }

    /**
     * Applies the spec to a body. A body that is already a tree (from an earlier stage) is copied into
     * JOLT's maps; raw bytes are parsed straight into them, skipping the tree: JOLT needs maps anyway.
     */
    JsonNode transform(Body body) {
        // A declared non-UTF charset needs decoding first: Body.json() does that (and refuses unknown ones).
        return apply(body.isParsedJson() || declaresCharset(body) ? JavaTrees.toJava(body.json()) : parse(body));
    }

    /** Whether the content type names a charset other than UTF-8 (the parser's own default). */
    private static boolean declaresCharset(Body body) {
        String type = body.contentType().orElse(null);
        if (type == null || type.indexOf(';') < 0) {
            return false; // the common case, without lower-casing anything
        }
        for (String part : type.split(";")) {
            String p = part.strip();
            if (p.regionMatches(true, 0, "charset=", 0, 8)) {
                return !p.substring(8).replace("\"", "").strip().equalsIgnoreCase("utf-8");
            }
        }
        return false;
    }

    /** Applies the spec to one tree; the input is not modified. */
    JsonNode transform(JsonNode input) {
        return apply(JavaTrees.toJava(input));
    }

    private Object parse(Body body) {
        byte[] data = body.bytes();
        if (data.length == 0) {
            throw Rejection.malformed(side + " body is empty, expected JSON").toException();
        }
        try {
            return Json.mapper().readValue(data, Object.class);
        } catch (IOException e) {
            throw Rejection.malformed(side + " body is not valid JSON: " + Json.describe(e)).toException();
        }
    }

    private JsonNode apply(Object input) {
        Object output;
        try {
            output = chainr.transform(input);
        } catch (RuntimeException e) {
            throw Rejection.invalid("JOLT spec '" + spec.name() + "' cannot transform this " + side + " body: "
                    + describe(e), List.of()).toException();
        }
        if (output == null || output instanceof Map<?, ?> m && m.isEmpty()
                || output instanceof Collection<?> c && c.isEmpty()) {
            throw Rejection.invalid("JOLT spec '" + spec.name() + "' produced no output for this " + side
                    + " body (none of its input paths matched)", List.of()).toException();
        }
        return JavaTrees.toTree(output);
    }

    private static String describe(RuntimeException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message);
    }

    @Override
    public Description describe() {
        return new Description("JOLT Transform", spec.name() + (side == Side.RESPONSE ? " (response)" : ""));
    }

    @Override
    public String toString() {
        return "Jolt[" + spec.origin() + ", " + side + "]";
    }

    /** Configures a {@link Jolt} stage. */
    public static final class Builder {
        private final JsonSource spec;
        private Side side = Side.REQUEST;
        private String contentType;

        private Builder(JsonSource spec) {
            this.spec = spec;
        }

        /** Transforms the request body before it goes on (the default). */
        public Builder onRequest() {
            this.side = Side.REQUEST;
            return this;
        }

        /** Transforms the body of successful responses on their way back instead of the request. */
        public Builder onResponse() {
            this.side = Side.RESPONSE;
            return this;
        }

        /** The content type of the transformed body, e.g. {@code application/fhir+json}; default: unchanged. */
        public Builder contentType(String type) {
            Objects.requireNonNull(type, "contentType");
            if (type.isBlank()) {
                throw new IllegalArgumentException("JOLT Transform: contentType must not be blank");
            }
            this.contentType = type;
            return this;
        }

        /**
         * Compiles the spec.
         *
         * @throws IllegalArgumentException if the spec is not JSON or JOLT refuses it, naming the spec
         */
        public Jolt build() {
            Object parsed = spec.parse(Object.class, WHAT);
            try {
                return new Jolt(this, Chainr.fromSpec(parsed));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("JOLT Transform: spec '" + spec.origin() + "' is invalid: "
                        + Jolt.describe(e), e);
            }
        }
    }
}
