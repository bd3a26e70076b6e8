package dev.harmony.transform.middleware;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion.VersionFlag;
import com.networknt.schema.SpecVersionDetector;
import com.networknt.schema.ValidationMessage;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Middleware;
import dev.harmony.pipeline.Rejection;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Validates the JSON body against a JSON Schema (networknt json-schema-validator; drafts 4, 6, 7,
 * 2019-09 and 2020-12). Every violation is reported as a {@link Rejection.Issue} whose location is the
 * JSON pointer of the offending value; a body that fails is rejected as {@code INVALID} (422), one that
 * is not JSON as {@code MALFORMED} (400). In FHIR pipelines the frontend renders that as an
 * {@code OperationOutcome}.
 *
 * <pre>{@code
 * Middleware check = JsonSchema.classpath("joltfhir/legacy_patient.schema.json").build();
 * }</pre>
 *
 * <p>The draft comes from the schema's {@code $schema} keyword, else from {@link Builder#draft(Draft)}
 * (default 2020-12). {@code format} keywords (date, email...) are asserted, not just annotated, unless
 * {@link Builder#formatAssertions(boolean)} turns that off. The schema is compiled once at build time.
 */
public final class JsonSchema implements Middleware {
    private static final String WHAT = "JSON schema";

    /** A JSON Schema draft. */
    public enum Draft {
        V4("draft-04", VersionFlag.V4),
        V6("draft-06", VersionFlag.V6),
        V7("draft-07", VersionFlag.V7),
        V2019_09("draft 2019-09", VersionFlag.V201909),
        V2020_12("draft 2020-12", VersionFlag.V202012);

        private final String label;
        private final VersionFlag flag;

        Draft(String label, VersionFlag flag) {
            this.label = label;
            this.flag = flag;
        }

        static Draft of(VersionFlag flag) {
            for (Draft d : values()) {
                if (d.flag == flag) {
                    return d;
                }
            }
            throw new IllegalArgumentException("unsupported JSON schema version " + flag);
        }

        @Override
        public String toString() {
            return label;
        }
    }

    private final JsonSource source;
    private final Draft draft;
    private final com.networknt.schema.JsonSchema schema;
    private final Side side;
    private final int maxIssues;

    private JsonSchema(JsonSource source, Draft draft, com.networknt.schema.JsonSchema schema, Side side,
            int maxIssues) {
        this.source = source;
        this.draft = draft;
        this.schema = schema;
        this.side = side;
        this.maxIssues = maxIssues;
    }

    /** Validates against the schema in classpath resource {@code resource}. */
    public static Builder classpath(String resource) {
        return new Builder(JsonSource.classpath(resource, WHAT));
    }

    /** Validates against the schema in {@code file} (read once, when this is called). */
    public static Builder file(Path file) {
        return new Builder(JsonSource.file(file, WHAT));
    }

    /** Validates against the schema given as JSON text. */
    public static Builder json(String schemaJson) {
        return new Builder(JsonSource.inline(schemaJson, WHAT));
    }

    @Override
    public Response intercept(Chain chain) {
        return JsonStep.run(chain, side, JsonStep.onTree(this::check), null);
    }

    /** Returns {@code body} unchanged if it is valid, else throws the rejection listing every violation. */
    JsonNode check(JsonNode body) {
        Set<ValidationMessage> violations = schema.validate(body);
        if (violations.isEmpty()) {
            return body;
        }
        List<Rejection.Issue> issues = new ArrayList<>(violations.size());
        for (ValidationMessage v : violations) {
            issues.add(new Rejection.Issue(String.valueOf(v.getInstanceLocation()), v.getError()));
        }
        issues.sort(Comparator.comparing(Rejection.Issue::location));
        int n = issues.size();
        if (n > maxIssues) {
            // A huge payload can fail everywhere; the answer stays readable and bounded.
            issues = new ArrayList<>(issues.subList(0, maxIssues));
            issues.add(new Rejection.Issue("", "... and " + (n - maxIssues) + " more violations"));
        }
        throw Rejection.invalid("the " + side + " body does not match JSON schema '" + source.name() + "' (" + n
                + (n == 1 ? " violation)" : " violations)"), issues).toException();
    }

    @Override
    public Description describe() {
        return new Description("Validation", "JSON Schema (" + draft + ")");
    }

    @Override
    public String toString() {
        return "JsonSchema[" + source.origin() + ", " + draft + ", " + side + "]";
    }

    /** Configures a {@link JsonSchema} stage. */
    public static final class Builder {
        private final JsonSource source;
        private Draft draft = Draft.V2020_12;
        private boolean formatAssertions = true;
        private Side side = Side.REQUEST;
        private int maxIssues = 100;

        private Builder(JsonSource source) {
            this.source = source;
        }

        /** The draft to use when the schema has no {@code $schema} keyword; default 2020-12. */
        public Builder draft(Draft value) {
            this.draft = Objects.requireNonNull(value, "draft");
            return this;
        }

        /** Whether {@code format} keywords fail validation (default true) or are mere annotations. */
        public Builder formatAssertions(boolean value) {
            this.formatAssertions = value;
            return this;
        }

        /** The most violations listed in a rejection (default 100); the rest are counted in a last issue. */
        public Builder maxIssues(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("Validation: maxIssues must be >= 1, got " + value);
            }
            this.maxIssues = value;
            return this;
        }

        /** Validates successful responses on their way back instead of the request. */
        public Builder onResponse() {
            this.side = Side.RESPONSE;
            return this;
        }

        /**
         * Compiles the schema.
         *
         * @throws IllegalArgumentException if it is not JSON or not a valid schema, naming it
         */
        public JsonSchema build() {
            JsonNode node = source.parse(JsonNode.class, WHAT);
            try {
                Draft effective = SpecVersionDetector.detectOptionalVersion(node, false).map(Draft::of).orElse(draft);
                SchemaValidatorsConfig config = SchemaValidatorsConfig.builder()
                        .pathType(PathType.JSON_POINTER)
                        .formatAssertionsEnabled(formatAssertions)
                        .build();
                com.networknt.schema.JsonSchema compiled = JsonSchemaFactory.getInstance(effective.flag)
                        .getSchema(node, config);
                compiled.initializeValidators();
                return new JsonSchema(source, effective, compiled, side, maxIssues);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("Validation: JSON schema '" + source.origin() + "' is invalid: "
                        + e.getMessage(), e);
            }
        }
    }
}
