package dev.harmony.fhir;

import dev.harmony.message.Body;
import dev.harmony.pipeline.Rejection;
import dev.harmony.pipeline.RejectionRenderer;
import java.nio.charset.StandardCharsets;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.OperationOutcome.OperationOutcomeIssueComponent;

/**
 * FHIR {@code OperationOutcome}s for rejections: the error format of every FHIR pipeline.
 *
 * <pre>{@code
 * HttpIngress.port(8080)...rejections(OperationOutcomes.renderer())
 * }</pre>
 */
public final class OperationOutcomes {
    private OperationOutcomes() {
    }

    /**
     * Renders any rejection as an R4 {@code OperationOutcome} ({@code application/fhir+json}): a first
     * issue carrying the rejection's message as {@code diagnostics} and its reason as {@code details.text},
     * then one issue per {@link Rejection.Issue} with its location as {@code expression} and {@code location}.
     */
    public static RejectionRenderer renderer() {
        return rejection -> {
            String json = Fhir.jsonParser().encodeResourceToString(of(rejection));
            return Body.ofBytes(json.getBytes(StandardCharsets.UTF_8), Fhir.JSON);
        };
    }

    /** The {@code OperationOutcome} describing {@code rejection}. */
    public static OperationOutcome of(Rejection rejection) {
        OperationOutcome outcome = new OperationOutcome();
        IssueSeverity severity = severityOf(rejection.kind());
        IssueType code = issueTypeOf(rejection.kind());
        OperationOutcomeIssueComponent summary = outcome.addIssue()
                .setSeverity(severity)
                .setCode(code)
                .setDiagnostics(rejection.message());
        rejection.reason().ifPresent(r -> summary.getDetails().setText(r));
        for (Rejection.Issue detail : rejection.details()) {
            OperationOutcomeIssueComponent issue = outcome.addIssue()
                    .setSeverity(severity)
                    .setCode(code)
                    .setDiagnostics(detail.message());
            if (!detail.location().isEmpty()) {
                issue.addLocation(detail.location());
                issue.addExpression(FhirPaths.fromLocation(detail.location()));
            }
        }
        return outcome;
    }

    /** The issue type FHIR uses for what a rejection kind means. */
    public static IssueType issueTypeOf(Rejection.Kind kind) {
        return switch (kind) {
            case MALFORMED -> IssueType.STRUCTURE;
            case UNAUTHENTICATED -> IssueType.LOGIN;
            case FORBIDDEN -> IssueType.FORBIDDEN;
            case NOT_FOUND -> IssueType.NOTFOUND;
            case METHOD_NOT_ALLOWED, EXPECTATION_FAILED, NOT_IMPLEMENTED -> IssueType.NOTSUPPORTED;
            case URI_TOO_LONG, HEADERS_TOO_LARGE -> IssueType.TOOLONG;
            case CONFLICT -> IssueType.CONFLICT;
            case PAYLOAD_TOO_LARGE -> IssueType.TOOCOSTLY;
            case UNSUPPORTED -> IssueType.NOTSUPPORTED;
            case INVALID -> IssueType.INVALID;
            case TOO_MANY_REQUESTS -> IssueType.THROTTLED;
            case INTERNAL -> IssueType.EXCEPTION;
            case UPSTREAM_UNAVAILABLE, UNAVAILABLE -> IssueType.TRANSIENT;
            case UPSTREAM_TIMEOUT -> IssueType.TIMEOUT;
        };
    }

    /** Failures of ours that stop all processing are fatal; the caller's mistakes and upstream trouble are errors. */
    static IssueSeverity severityOf(Rejection.Kind kind) {
        return kind == Rejection.Kind.INTERNAL ? IssueSeverity.FATAL : IssueSeverity.ERROR;
    }
}
