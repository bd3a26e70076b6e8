package dev.harmony.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.parser.StrictErrorHandler;
import dev.harmony.message.Body;
import dev.harmony.pipeline.Rejection;
import java.time.Duration;
import java.util.List;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.OperationOutcome.OperationOutcomeIssueComponent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OperationOutcomesTest {

    private static OperationOutcome parseStrictly(Body body) {
        IParser parser = Fhir.jsonParser().setParserErrorHandler(new StrictErrorHandler());
        return parser.parseResource(OperationOutcome.class, body.text());
    }

    @Test
    void invalidRejectionBecomesOneIssuePerDetailWithLocationAndExpression() {
        Rejection rejection = Rejection.invalid("payload failed the JSON schema", List.of(
                new Rejection.Issue("/name/0/family", "required property 'family' not found"),
                new Rejection.Issue("Patient.birthDate", "invalid date '2020-13-45'")));

        Body body = OperationOutcomes.renderer().render(rejection);

        assertThat(body.contentType()).contains("application/fhir+json");
        OperationOutcome outcome = parseStrictly(body);
        List<OperationOutcomeIssueComponent> issues = outcome.getIssue();
        assertThat(issues).hasSize(3);
        assertThat(issues.get(0).getSeverity()).isEqualTo(IssueSeverity.ERROR);
        assertThat(issues.get(0).getCode()).isEqualTo(IssueType.INVALID);
        assertThat(issues.get(0).getDiagnostics()).isEqualTo("payload failed the JSON schema");
        assertThat(issues.get(1).getDiagnostics()).isEqualTo("required property 'family' not found");
        assertThat(issues.get(1).getLocation()).extracting(Object::toString).containsExactly("/name/0/family");
        assertThat(issues.get(1).getExpression()).extracting(Object::toString).containsExactly("name[0].family");
        assertThat(issues.get(2).getExpression()).extracting(Object::toString).containsExactly("Patient.birthDate");
    }

    @Test
    void goldenOutputForAnUnauthenticatedRejection() {
        Body body = OperationOutcomes.renderer().render(
                Rejection.unauthenticated("missing bearer token").withReason("invalid_token"));

        assertThat(body.text()).isEqualTo("{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\","
                + "\"code\":\"login\",\"details\":{\"text\":\"invalid_token\"},\"diagnostics\":\"missing bearer token\"}]}");
    }

    @ParameterizedTest
    @EnumSource(Rejection.Kind.class)
    void everyKindRendersAParsableOutcomeWithAMeaningfulCode(Rejection.Kind kind) {
        Rejection rejection = Rejection.of(kind, "because " + kind).withRetryAfter(Duration.ofSeconds(3));

        OperationOutcome outcome = parseStrictly(OperationOutcomes.renderer().render(rejection));

        OperationOutcomeIssueComponent issue = outcome.getIssueFirstRep();
        assertThat(issue.getDiagnostics()).isEqualTo("because " + kind);
        assertThat(issue.getCode()).isNotNull().isNotEqualTo(IssueType.NULL);
        assertThat(issue.getSeverity()).isIn(IssueSeverity.ERROR, IssueSeverity.FATAL);
    }

    @Test
    void kindsMapToTheFhirIssueTypesForTheirMeaning() {
        assertThat(OperationOutcomes.issueTypeOf(Rejection.Kind.MALFORMED)).isEqualTo(IssueType.STRUCTURE);
        assertThat(OperationOutcomes.issueTypeOf(Rejection.Kind.FORBIDDEN)).isEqualTo(IssueType.FORBIDDEN);
        assertThat(OperationOutcomes.issueTypeOf(Rejection.Kind.TOO_MANY_REQUESTS)).isEqualTo(IssueType.THROTTLED);
        assertThat(OperationOutcomes.issueTypeOf(Rejection.Kind.PAYLOAD_TOO_LARGE)).isEqualTo(IssueType.TOOCOSTLY);
        assertThat(OperationOutcomes.issueTypeOf(Rejection.Kind.UNSUPPORTED)).isEqualTo(IssueType.NOTSUPPORTED);
        assertThat(OperationOutcomes.issueTypeOf(Rejection.Kind.UPSTREAM_UNAVAILABLE)).isEqualTo(IssueType.TRANSIENT);
        assertThat(OperationOutcomes.issueTypeOf(Rejection.Kind.UPSTREAM_TIMEOUT)).isEqualTo(IssueType.TIMEOUT);
        assertThat(OperationOutcomes.issueTypeOf(Rejection.Kind.INTERNAL)).isEqualTo(IssueType.EXCEPTION);
        assertThat(OperationOutcomes.issueTypeOf(Rejection.Kind.METHOD_NOT_ALLOWED)).isEqualTo(IssueType.NOTSUPPORTED);
        assertThat(OperationOutcomes.issueTypeOf(Rejection.Kind.HEADERS_TOO_LARGE)).isEqualTo(IssueType.TOOLONG);
        assertThat(OperationOutcomes.issueTypeOf(Rejection.Kind.URI_TOO_LONG)).isEqualTo(IssueType.TOOLONG);
        assertThat(OperationOutcomes.issueTypeOf(Rejection.Kind.NOT_IMPLEMENTED)).isEqualTo(IssueType.NOTSUPPORTED);
        assertThat(OperationOutcomes.severityOf(Rejection.Kind.INTERNAL)).isEqualTo(IssueSeverity.FATAL);
    }

    @Test
    void jsonPointersBecomeFhirPathExpressions() {
        assertThat(FhirPaths.fromLocation("/identifier/1/system")).isEqualTo("identifier[1].system");
        assertThat(FhirPaths.fromLocation("/a~1b/c~0d")).isEqualTo("a/b.c~d");
        assertThat(FhirPaths.fromLocation("Patient.name[0]")).isEqualTo("Patient.name[0]");
    }

    @Test
    void sharedContextIsR4AndBuiltOnce() {
        assertThat(Fhir.r4().getVersion().getVersion().name()).isEqualTo("R4");
        assertThat(Fhir.r4()).isSameAs(Fhir.r4());
    }
}
