package dev.harmony.fhir.middleware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.harmony.fhir.OperationOutcomes;
import dev.harmony.message.Body;
import dev.harmony.message.Protocol;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.pipeline.Rejection;
import dev.harmony.testing.DirectFrontend;
import dev.harmony.testing.RecordingBackend;
import java.util.concurrent.atomic.AtomicReference;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FhirValidationTest {
    private static final String VALID = """
            {"resourceType":"Patient",
             "identifier":[{"system":"urn:oid:1.2.36.146.595.217.0.1","value":"12345"}],
             "active":true,
             "name":[{"family":"Chalmers","given":["Peter","James"]}],
             "telecom":[{"system":"phone","value":"(03) 5555 6473","use":"work"}],
             "gender":"male","birthDate":"1974-12-25","deceasedBoolean":false,
             "address":[{"line":["534 Erewhon St"],"city":"PleasantVille","postalCode":"3999"}],
             "multipleBirthInteger":1,
             "text":{"status":"generated","div":"<div xmlns=\\"http://www.w3.org/1999/xhtml\\">Peter</div>"},
             "extension":[{"url":"http://example.org/ext","valueString":"x"}],
             "_birthDate":{"extension":[{"url":"http://example.org/t","valueDateTime":"1974-12-25T14:35:45-05:00"}]}}
            """;

    private final DirectFrontend in = DirectFrontend.speaking(Protocol.HTTP);
    private final AtomicReference<IBaseResource> seen = new AtomicReference<>();
    private final RecordingBackend out = RecordingBackend.answering(r -> {
        seen.set(r.attribute(FhirValidation.RESOURCE).orElse(null));
        return Response.ok();
    });
    private Pipeline pipeline;

    private Response post(FhirValidation stage, String json) {
        if (pipeline == null) {
            pipeline = Pipeline.builder().name("fhir-validation").frontend(in).use(stage).backend(out).build();
            pipeline.start();
        }
        return in.send(in.request("POST", "/Patient").body(Body.ofText(json, "application/fhir+json")));
    }

    @AfterEach
    void close() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void validResourcePassesUnchangedWithTheParsedResourceAttached() {
        Response r = post(FhirValidation.r4().build(), VALID);

        assertThat(r.status()).isEqualTo(200);
        assertThat(out.last().bodyText()).isEqualTo(VALID);
        assertThat(seen.get()).isInstanceOfSatisfying(Patient.class,
                p -> assertThat(p.getNameFirstRep().getFamily()).isEqualTo("Chalmers"));
    }

    /** A Patient whose extension holds an extension ... {@code depth} deep (two JSON levels each). */
    private static String nestedExtensions(int depth) {
        StringBuilder b = new StringBuilder("{\"resourceType\":\"Patient\",\"extension\":[");
        for (int i = 0; i < depth; i++) {
            b.append("{\"url\":\"http://example.org/e\",\"extension\":[");
        }
        b.append("{\"url\":\"http://example.org/e\",\"valueString\":\"x\"}");
        b.append("]}".repeat(depth));
        return b.append("]}").toString();
    }

    /** Runs {@code post} on a thread with the JVM's default stack size, as the ingress's workers have. */
    private Response postFromAWorker(String json) throws Exception {
        java.util.concurrent.CompletableFuture<Response> answer = new java.util.concurrent.CompletableFuture<>();
        Thread worker = new Thread(() -> {
            try {
                answer.complete(post(FhirValidation.r4().build(), json));
            } catch (Throwable t) {
                answer.completeExceptionally(t);
            }
        }, "like-a-worker");
        worker.start();
        return answer.get(60, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Test
    void resourcesNestedAsDeepAsJsonAllowsAreAnsweredAndDeeperOnesAreMalformed() throws Exception {
        Response deep = postFromAWorker(nestedExtensions(495)); // just within Jackson's 1000 levels
        assertThat(deep.status()).as(String.valueOf(deep.rejection())).isIn(200, 422);
        Response deeper = postFromAWorker(nestedExtensions(5_000));
        assertThat(deeper.status()).as(String.valueOf(deeper.rejection())).isEqualTo(400);
    }

    @Test
    void everyProblemIsReportedWithItsFhirPathLocation() {
        String bad = """
                {"resourceType":"Patient","foo":1,"gender":"M","birthDate":"1980-13-45","active":"yes",
                 "name":[{"family":["Doe"],"given":"Ann","bar":2}],
                 "identifier":[{"system":"urn:x","value":1,"period":{"start":"nope"}}],
                 "telecom":{"system":"phone","value":"1"},
                 "address":[{"city":""}],
                 "link":[{"type":"seealso"}]}
                """;
        Response r = post(FhirValidation.r4().build(), bad);

        assertThat(r.status()).isEqualTo(422);
        Rejection rejection = r.rejection().orElseThrow();
        assertThat(rejection.message()).isEqualTo("the request body is not a valid FHIR R4 Patient (12 issues)");
        assertThat(rejection.details()).extracting(Rejection.Issue::location).containsExactlyInAnyOrder(
                "Patient.foo", "Patient.gender", "Patient.birthDate", "Patient.active",
                "Patient.name[0].family", "Patient.name[0].given", "Patient.name[0].bar",
                "Patient.identifier[0].value", "Patient.identifier[0].period.start", "Patient.telecom",
                "Patient.address[0].city", "Patient.link[0].other");
        assertThat(rejection.details()).filteredOn(i -> i.location().equals("Patient.gender"))
                .extracting(Rejection.Issue::message).singleElement().asString()
                .contains("'M'").contains("AdministrativeGender");
        assertThat(rejection.details()).filteredOn(i -> i.location().equals("Patient.link[0].other"))
                .extracting(Rejection.Issue::message).singleElement().asString().contains("required");
        assertThat(out.count()).isZero();

        OperationOutcome outcome = OperationOutcomes.of(rejection);
        assertThat(outcome.getIssue()).hasSize(13);
        assertThat(outcome.getIssue().get(1).getExpression().get(0).getValue()).startsWith("Patient.");
    }

    @Test
    void yearZeroAndDaysAMonthDoesNotHaveAreInvalidDates() {
        for (String date : new String[] {"0000", "0000-03", "0000-03-15", "2023-02-29", "1980-04-31"}) {
            Response r = post(FhirValidation.r4().build(), "{\"resourceType\":\"Patient\",\"birthDate\":\"" + date + "\"}");
            assertThat(r.status()).as(date).isEqualTo(422);
            assertThat(r.rejection().orElseThrow().details()).as(date).singleElement()
                    .satisfies(i -> assertThat(i.location()).isEqualTo("Patient.birthDate"))
                    .satisfies(i -> assertThat(i.message()).contains(date));
        }
        for (String date : new String[] {"0001", "1980-03", "2024-02-29"}) {
            assertThat(post(FhirValidation.r4().build(), "{\"resourceType\":\"Patient\",\"birthDate\":\"" + date + "\"}")
                    .status()).as(date).isEqualTo(200);
        }
        assertThat(out.count()).isEqualTo(3);
    }

    @Test
    void containedAndBundledResourcesAreCheckedByTheirOwnType() {
        String bundle = """
                {"resourceType":"Bundle","type":"transaction","entry":[
                  {"resource":{"resourceType":"Patient","gender":"female"},"request":{"method":"POST","url":"Patient"}},
                  {"resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":"high"}},
                   "request":{"method":"POST","url":"Observation"}},
                  {"resource":{"resourceType":"Nope"},"request":{"method":"PUT","url":"X/1"}}]}
                """;
        Response r = post(FhirValidation.r4().build(), bundle);

        assertThat(r.status()).isEqualTo(422);
        assertThat(r.rejection().orElseThrow().details()).extracting(Rejection.Issue::location).containsExactly(
                "Bundle.entry[1].resource.valueQuantity.value", "Bundle.entry[2].resource");
    }

    @Test
    void problemsOnlyHapisParserSeesAreReportedToo() {
        String containedWithoutId = """
                {"resourceType":"Patient","contained":[{"resourceType":"Organization","name":"Acme"}],
                 "managingOrganization":{"reference":"#missing"}}
                """;
        Response r = post(FhirValidation.r4().build(), containedWithoutId);

        assertThat(r.status()).isEqualTo(422);
        assertThat(r.rejection().orElseThrow().details()).extracting(Rejection.Issue::message)
                .anySatisfy(m -> assertThat(m).isEqualTo("a contained resource has no id"));
        assertThat(out.count()).isZero();
    }

    @Test
    void hugeFailuresAreListedUpToTheLimitAndCounted() {
        String names = String.join(",", java.util.Collections.nCopies(300, "{\"family\":1}"));
        Response r = post(FhirValidation.r4().maxIssues(5).build(), "{\"resourceType\":\"Patient\",\"name\":[" + names + "]}");

        Rejection rejection = r.rejection().orElseThrow();
        assertThat(rejection.message()).endsWith("(300 issues)");
        assertThat(rejection.details()).hasSize(6);
        assertThat(rejection.details().get(5).message()).isEqualTo("... and 295 more issues");
    }

    @Test
    void resourceTypeCanBeRestricted() {
        FhirValidation patientsOnly = FhirValidation.r4().resourceTypes("Patient").build();
        Response r = post(patientsOnly, "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"x\"}}");

        assertThat(r.status()).isEqualTo(422);
        assertThat(r.rejection().orElseThrow().details().get(0).message()).contains("expected Patient");
        assertThat(patientsOnly.describe().detail()).isEqualTo("R4 strict, Patient");
        assertThatThrownBy(() -> FhirValidation.r4().resourceTypes("Patiant"))
                .hasMessageContaining("'Patiant' is not an R4 resource type");
    }

    @Test
    void notAResourceAndNotJsonAreClearlyRefused() {
        FhirValidation v = FhirValidation.r4().build();
        Response noType = post(v, "{\"name\":\"x\"}");
        assertThat(noType.status()).isEqualTo(422);
        assertThat(noType.rejection().orElseThrow().details().get(0).message()).isEqualTo("missing 'resourceType'");

        assertThat(post(v, "[1,2]").rejection().orElseThrow().details().get(0).message())
                .contains("must be a JSON object");
        assertThat(post(v, "<Patient/>").status()).isEqualTo(400);
    }
}
