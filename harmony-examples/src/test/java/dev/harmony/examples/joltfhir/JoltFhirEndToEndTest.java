package dev.harmony.examples.joltfhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.StrictErrorHandler;
import dev.harmony.fhir.Fhir;
import dev.harmony.fhir.backend.FhirAuth;
import dev.harmony.fhir.server.EmbeddedFhirServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example over real HTTP: webhook (HttpIngress) -> stages -> FhirClient -> a real FHIR server on loopback. */
class JoltFhirEndToEndTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();

    private HttpResponse<String> post(URI webhook, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(webhook).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JoltFhirServer start(URI fhirBase, Path spec) {
        return JoltFhirServer.start(0, JoltFhirExample.DEFAULT_PATH, fhirBase, spec,
                new PrintStream(console, true, StandardCharsets.UTF_8));
    }

    private static OperationOutcome outcome(HttpResponse<String> r) {
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("application/fhir+json"));
        return Fhir.jsonParser().setParserErrorHandler(new StrictErrorHandler())
                .parseResource(OperationOutcome.class, r.body());
    }

    @Test
    void sampleBecomesOnePatientInTheStoreAndResendingIsIdempotent() throws Exception {
        String sample = JoltFhirGoldenTest.resource(JoltFhirExample.SAMPLE);
        try (JoltFhirServer example = start(null, null)) {
            EmbeddedFhirServer store = example.embeddedStore();
            String printed = console.toString(StandardCharsets.UTF_8);
            assertThat(printed).startsWith("READY jolt-fhir " + example.port() + System.lineSeparator())
                    .contains("curl -sS -X POST").contains(example.webhook().toString())
                    .contains("curl -sS '" + example.patientSearch() + "'");

            HttpResponse<String> first = post(example.webhook(), sample);
            assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
            Bundle response = Fhir.jsonParser().parseResource(Bundle.class, first.body());
            assertThat(response.getType()).isEqualTo(Bundle.BundleType.TRANSACTIONRESPONSE);
            assertThat(response.getEntryFirstRep().getResponse().getStatus()).startsWith("201");

            assertThat(store.count("Patient")).isEqualTo(1);
            Patient stored = store.resources(Patient.class).get(0);
            String storedJson = Fhir.jsonParser().encodeResourceToString(stored);
            Patient reparsed = Fhir.jsonParser().setParserErrorHandler(new StrictErrorHandler())
                    .parseResource(Patient.class, storedJson);
            assertThat(reparsed.getNameFirstRep().getFamily()).isEqualTo("Smith");
            assertThat(reparsed.getBirthDateElement().getValueAsString()).isEqualTo("1980-03-15");

            HttpResponse<String> again = post(example.webhook(), sample);
            assertThat(again.statusCode()).isEqualTo(200);
            assertThat(Fhir.jsonParser().parseResource(Bundle.class, again.body()).getEntryFirstRep().getResponse()
                    .getStatus()).startsWith("200");
            assertThat(store.count("Patient")).as("conditional create: still one Patient").isEqualTo(1);

            // The printed GET finds it.
            HttpResponse<String> search = http.send(HttpRequest.newBuilder(example.patientSearch()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(search.statusCode()).isEqualTo(200);
            assertThat(Fhir.jsonParser().parseResource(Bundle.class, search.body()).getTotal()).isEqualTo(1);
        }
    }

    @Test
    void nonJsonIs400WithAnOperationOutcome() throws Exception {
        try (JoltFhirServer example = start(null, null)) {
            HttpResponse<String> r = post(example.webhook(), "MSH|^~\\&|LEGACY|ST-MARYS|||202401011200||ADT^A04|1|P|2.5");

            assertThat(r.statusCode()).isEqualTo(400);
            OperationOutcome oo = outcome(r);
            assertThat(oo.getIssueFirstRep().getCode()).isEqualTo(IssueType.STRUCTURE);
            assertThat(oo.getIssueFirstRep().getDiagnostics()).contains("not valid JSON");
            assertThat(example.embeddedStore().count("Patient")).isZero();
        }
    }

    @Test
    void schemaFailureIs422ListingEachViolationWithItsLocation() throws Exception {
        String bad = "{\"pid\":{\"patientIdentifierList\":[],\"patientName\":{\"familyName\":\"X\"},"
                + "\"dateOfBirth\":\"19801345\",\"administrativeSex\":\"Z\"}}";
        try (JoltFhirServer example = start(null, null)) {
            HttpResponse<String> r = post(example.webhook(), bad);

            assertThat(r.statusCode()).isEqualTo(422);
            OperationOutcome oo = outcome(r);
            assertThat(oo.getIssueFirstRep().getDiagnostics())
                    .isEqualTo("the request body does not match JSON schema 'legacy_patient.schema.json' (3 violations)");
            assertThat(oo.getIssue().subList(1, oo.getIssue().size()))
                    .extracting(i -> i.getExpression().get(0).getValue())
                    .containsExactly("pid.administrativeSex", "pid.dateOfBirth", "pid.patientIdentifierList");
            assertThat(example.embeddedStore().count("Patient")).isZero();
        }
    }

    @Test
    void specProducingAnInvalidResourceIs422FromFhirValidation(@TempDir Path dir) throws Exception {
        // A "spec bug": copies the HL7 sex code and birth date through unmapped.
        Path spec = Files.writeString(dir.resolve("naive.json"), """
                [{"operation":"shift","spec":{"#Patient":"resourceType",
                  "pid":{"administrativeSex":"gender","dateOfBirth":"birthDate",
                         "patientName":{"familyName":"name.family"}}}}]
                """);
        try (JoltFhirServer example = start(null, spec)) {
            HttpResponse<String> r = post(example.webhook(), JoltFhirGoldenTest.resource(JoltFhirExample.SAMPLE));

            assertThat(r.statusCode()).isEqualTo(422);
            OperationOutcome oo = outcome(r);
            assertThat(oo.getIssueFirstRep().getDiagnostics())
                    .isEqualTo("the request body is not a valid FHIR R4 Patient (3 issues)");
            assertThat(oo.getIssue().subList(1, 4)).extracting(i -> i.getExpression().get(0).getValue())
                    .containsExactlyInAnyOrder("Patient.gender", "Patient.birthDate", "Patient.name");
            assertThat(example.embeddedStore().count("Patient")).isZero();
        }
    }

    @Test
    void fhirServers400OperationOutcomeReachesTheCallerWithItsIssues() throws Exception {
        String refusal = "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\"business-rule\","
                + "\"diagnostics\":\"Patient.identifier: MRN assigning authority ST-MARYS is not registered\","
                + "\"expression\":[\"Bundle.entry[0].resource.identifier[0]\"]}]}";
        try (ScriptedFhirStore store = new ScriptedFhirStore(400, refusal);
                JoltFhirServer example = start(store.base(), null)) {
            HttpResponse<String> r = post(example.webhook(), JoltFhirGoldenTest.resource(JoltFhirExample.SAMPLE));

            assertThat(r.statusCode()).isEqualTo(400);
            OperationOutcome oo = outcome(r);
            assertThat(oo.getIssueFirstRep().getDiagnostics()).startsWith("the FHIR server refused the transaction Bundle with Patient: HTTP 400: "
                    + "Patient.identifier: MRN assigning").doesNotContain(store.base().toString());
            assertThat(oo.getIssue().get(1).getDiagnostics()).contains("is not registered");
            assertThat(oo.getIssue().get(1).getExpression().get(0).getValue())
                    .isEqualTo("Bundle.entry[0].resource.identifier[0]");
            assertThat(store.requests.get()).as("a 400 is not retried").isEqualTo(1);
        }
    }

    @Test
    void anExternalStoreGetsTheConfiguredCredentials() throws Exception {
        String created = "{\"resourceType\":\"Bundle\",\"type\":\"transaction-response\",\"entry\":[{\"response\":"
                + "{\"status\":\"201 Created\",\"location\":\"Patient/7/_history/1\"}}]}";
        try (ScriptedFhirStore store = new ScriptedFhirStore(200, created);
                JoltFhirServer example = JoltFhirServer.start(0, "/in", store.base(), null,
                        FhirAuth.bearer("cloud-token"), new PrintStream(console, true, StandardCharsets.UTF_8))) {
            HttpResponse<String> r = post(example.webhook(), JoltFhirGoldenTest.resource(JoltFhirExample.SAMPLE));

            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(store.lastAuthorization.get()).isEqualTo("Bearer cloud-token");
            assertThat(example.webhook().getPath()).isEqualTo("/in");
            assertThat(console.toString(StandardCharsets.UTF_8)).doesNotContain("cloud-token");
        }
    }

    @Test
    void fhirServerDownIsRetriedThen502() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        URI down = URI.create("http://127.0.0.1:" + port + "/fhir");
        try (JoltFhirServer example = start(down, null)) {
            HttpResponse<String> r = post(example.webhook(), JoltFhirGoldenTest.resource(JoltFhirExample.SAMPLE));

            assertThat(r.statusCode()).isEqualTo(502);
            OperationOutcome oo = outcome(r);
            assertThat(oo.getIssueFirstRep().getCode()).isEqualTo(IssueType.TRANSIENT);
            // What went wrong, with the store's address, is logged under the correlation id; the client sees neither.
            assertThat(oo.getIssueFirstRep().getDiagnostics())
                    .matches("the upstream server is unreachable or failed \\(correlation id [0-9a-f]{12}\\)")
                    .doesNotContain(Integer.toString(port));
        }
    }

    /** Sends raw bytes on a fresh connection and reads the whole answer (the ingress closes after these). */
    private static String raw(int port, String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static OperationOutcome rawOutcome(String answer) {
        int split = answer.indexOf("\r\n\r\n");
        assertThat(answer.substring(0, split)).containsIgnoringCase("Content-Type: application/fhir+json");
        return Fhir.jsonParser().setParserErrorHandler(new StrictErrorHandler())
                .parseResource(OperationOutcome.class, answer.substring(split + 4));
    }

    @Test
    void errorsTheIngressMakesItselfAreOperationOutcomesToo() throws Exception {
        try (JoltFhirServer example = start(null, null)) {
            HttpResponse<String> get = http.send(HttpRequest.newBuilder(example.webhook()).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(get.statusCode()).isEqualTo(405);
            assertThat(get.headers().firstValue("Allow")).contains("POST");
            assertThat(outcome(get).getIssueFirstRep().getCode()).isEqualTo(IssueType.NOTSUPPORTED);

            String path = example.webhook().getPath();
            String twoHosts = raw(example.port(), "POST " + path + " HTTP/1.1\r\nHost: a\r\nHost: b\r\n"
                    + "Content-Length: 2\r\n\r\n{}");
            assertThat(twoHosts).startsWith("HTTP/1.1 400 Bad Request\r\n");
            assertThat(rawOutcome(twoHosts).getIssueFirstRep().getCode()).isEqualTo(IssueType.STRUCTURE);

            String smuggled = raw(example.port(), "POST " + path + " HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
            assertThat(smuggled).startsWith("HTTP/1.1 400 Bad Request\r\n");
            rawOutcome(smuggled);

            String huge = raw(example.port(), "POST " + path + " HTTP/1.1\r\nHost: a\r\nX-Big: "
                    + "x".repeat(40_000) + "\r\n\r\n");
            assertThat(huge).startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n");
            assertThat(rawOutcome(huge).getIssueFirstRep().getCode()).isEqualTo(IssueType.TOOLONG);

            HttpResponse<String> elsewhere = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + example.port() + "/not-here")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(elsewhere.statusCode()).isEqualTo(404);
            assertThat(outcome(elsewhere).getIssueFirstRep().getCode()).isEqualTo(IssueType.NOTFOUND);

            String traversal = raw(example.port(), "POST " + path + "/..%2f..%2fadmin HTTP/1.1\r\nHost: a\r\n"
                    + "Connection: close\r\nContent-Length: 2\r\n\r\n{}");
            assertThat(traversal).startsWith("HTTP/1.1 400 Bad Request\r\n");
            rawOutcome(traversal);

            assertThat(post(example.webhook(), JoltFhirGoldenTest.resource(JoltFhirExample.SAMPLE)).statusCode())
                    .as("still serving").isEqualTo(200);
        }
    }
}
