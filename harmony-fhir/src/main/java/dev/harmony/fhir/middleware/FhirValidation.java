package dev.harmony.fhir.middleware;

import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParser;
import com.fasterxml.jackson.databind.JsonNode;
import dev.harmony.fhir.Fhir;
import dev.harmony.message.Attribute;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Middleware;
import dev.harmony.pipeline.Rejection;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * Checks that the request body is a valid FHIR R4 resource before it goes on, reporting every problem
 * with its FHIRPath location: unknown elements, wrong JSON types and cardinality, bad dates/booleans/
 * numbers, codes outside the required bindings HAPI knows, empty values and missing required elements.
 * Then HAPI's parser reads it as the last word, every callback of its error handler an error (as with
 * {@code StrictErrorHandler}, but collecting them all instead of stopping at the first). A body that
 * fails is rejected as {@code INVALID} (422) with one {@link Rejection.Issue} per problem, rendered as
 * an {@code OperationOutcome} by FHIR frontends; a body that is not JSON is {@code MALFORMED} (400).
 *
 * <pre>{@code
 * Middleware fhirCheck = FhirValidation.r4().resourceTypes("Patient").build();
 * }</pre>
 *
 * <p>The parsed resource is attached to the request as {@link #RESOURCE} for later stages; the body is
 * passed on unchanged.
 */
public final class FhirValidation implements Middleware {
    /** The resource parsed from the body, set on requests that passed validation. */
    public static final Attribute<IBaseResource> RESOURCE = Attribute.of("fhir.resource", IBaseResource.class);

    private final List<String> resourceTypes;
    private final int maxIssues;

    private FhirValidation(Set<String> resourceTypes, int maxIssues) {
        this.resourceTypes = List.copyOf(resourceTypes);
        this.maxIssues = maxIssues;
    }

    /** Starts configuring R4 validation. */
    public static Builder r4() {
        return new Builder();
    }

    @Override
    public Response intercept(Chain chain) {
        Request request = chain.request();
        IBaseResource resource = validate(request.body().json(), request);
        return chain.proceed(request.with(RESOURCE, resource));
    }

    /** The parsed resource, or a thrown rejection listing every problem. */
    IBaseResource validate(JsonNode json, Request request) {
        List<Rejection.Issue> issues = StructureCheck.check(Fhir.r4(), json);
        String type = json.path("resourceType").asText("");
        if (issues.isEmpty() && !resourceTypes.isEmpty() && !resourceTypes.contains(type)) {
            issues = List.of(new Rejection.Issue(type, "resourceType '" + type + "' is not accepted here (expected "
                    + String.join(" or ", resourceTypes) + ")"));
        }
        if (!issues.isEmpty()) {
            throw invalid(type, issues);
        }
        CollectingErrorHandler hapiIssues = new CollectingErrorHandler(type);
        IParser parser = Fhir.jsonParser().setParserErrorHandler(hapiIssues);
        IBaseResource resource;
        try {
            resource = parser.parseResource(request.body().text());
        } catch (DataFormatException e) {
            // The walk above should have caught it; HAPI still has the last word.
            throw invalid(type, List.of(new Rejection.Issue(type, StructureCheck.clean(e.getMessage()))));
        }
        if (!hapiIssues.issues().isEmpty()) {
            throw invalid(type, hapiIssues.issues());
        }
        return resource;
    }

    private RuntimeException invalid(String type, List<Rejection.Issue> issues) {
        String what = type.isEmpty() ? "resource" : type;
        int n = issues.size();
        if (n > maxIssues) {
            // A huge resource can fail everywhere; the answer stays readable and bounded.
            issues = new ArrayList<>(issues.subList(0, maxIssues));
            issues.add(new Rejection.Issue("", "... and " + (n - maxIssues) + " more issues"));
        }
        return Rejection.invalid("the request body is not a valid FHIR R4 " + what + " (" + n
                + (n == 1 ? " issue)" : " issues)"), issues).toException();
    }

    @Override
    public Description describe() {
        return new Description("FHIR Validation",
                "R4 strict" + (resourceTypes.isEmpty() ? "" : ", " + String.join("/", resourceTypes)));
    }

    /** Configures a {@link FhirValidation} stage. */
    public static final class Builder {
        private final Set<String> resourceTypes = new LinkedHashSet<>();
        private int maxIssues = 100;

        private Builder() {
        }

        /** The most issues listed in a rejection (default 100); the rest are counted in a last issue. */
        public Builder maxIssues(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("FHIR Validation: maxIssues must be >= 1, got " + value);
            }
            this.maxIssues = value;
            return this;
        }

        /** Accepts only these resource types (e.g. {@code "Patient"}); default: any R4 resource. */
        public Builder resourceTypes(String... types) {
            for (String t : types) {
                try {
                    resourceTypes.add(Fhir.r4().getResourceDefinition(t).getName());
                } catch (DataFormatException e) {
                    throw new IllegalArgumentException("FHIR Validation: '" + t + "' is not an R4 resource type");
                }
            }
            return this;
        }

        /** The configured stage. */
        public FhirValidation build() {
            return new FhirValidation(resourceTypes, maxIssues);
        }
    }
}
