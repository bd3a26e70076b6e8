package dev.harmony.fhir.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.parser.StrictErrorHandler;
import dev.harmony.fhir.Fhir;
import dev.harmony.fhir.backend.ScriptedServer.Answer;
import dev.harmony.fhir.server.EmbeddedFhirServer;
import dev.harmony.message.Body;
import dev.harmony.message.Json;
import dev.harmony.message.Protocol;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.pipeline.Rejection;
import dev.harmony.testing.DirectFrontend;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FhirClientTest {
    static final String PATIENT = """
            {"resourceType":"Patient","identifier":[{"system":"urn:oid:2.16.840.1.113883.3.72.5.9.1","value":"MRN-77"}],
             "name":[{"family":"Doe","given":["Jane"]}],"gender":"female","birthDate":"1980-02-01"}
            """;
    private static final String CREATED = "{\"resourceType\":\"Bundle\",\"type\":\"transaction-response\",\"entry\":"
            + "[{\"response\":{\"status\":\"201 Created\",\"location\":\"Patient/9/_history/1\"}}]}";

    private final DirectFrontend in = DirectFrontend.speaking(Protocol.HTTP);
    private final List<Duration> waits = new CopyOnWriteArrayList<>();
    private Pipeline pipeline;

    private FhirClient.Builder recordingWaits(FhirClient.Builder b) {
        return b.sleeper(waits::add);
    }

    private Response post(FhirClient client, String body) {
        if (pipeline == null) {
            pipeline = Pipeline.builder().name("fhir-client").frontend(in).backend(client).build();
            pipeline.start();
        }
        return in.send(in.request("POST", "/").body(Body.ofText(body, "application/json")));
    }

    @AfterEach
    void close() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void transactionWithConditionalCreateAgainstARealHapiServerIsIdempotent() throws Exception {
        try (EmbeddedFhirServer fhir = EmbeddedFhirServer.empty().start()) {
            FhirClient client = FhirClient.to(fhir.baseUrl()).asTransaction().conditionalCreate().build();

            Response first = post(client, PATIENT);
            assertThat(first.status()).isEqualTo(200);
            Bundle answer = Fhir.jsonParser().setParserErrorHandler(new StrictErrorHandler())
                    .parseResource(Bundle.class, first.body().text());
            assertThat(answer.getType()).isEqualTo(Bundle.BundleType.TRANSACTIONRESPONSE);
            assertThat(answer.getEntryFirstRep().getResponse().getStatus()).startsWith("201");
            assertThat(first.attribute(FhirClient.LOCATION)).hasValueSatisfying(l -> assertThat(l).startsWith("Patient/"));

            Response again = post(client, PATIENT);
            assertThat(again.status()).isEqualTo(200);
            Bundle second = Fhir.jsonParser().parseResource(Bundle.class, again.body().text());
            assertThat(second.getEntryFirstRep().getResponse().getStatus()).startsWith("200");
            assertThat(fhir.count("Patient")).isEqualTo(1);
            Patient stored = fhir.resources(Patient.class).get(0);
            assertThat(stored.getNameFirstRep().getFamily()).isEqualTo("Doe");
            assertThat(again.attribute(FhirClient.LOCATION)).isEqualTo(first.attribute(FhirClient.LOCATION));
        }
    }

    @Test
    void plainCreatePostsToTheResourceTypeAndReturnsTheServersAnswer() throws Exception {
        try (EmbeddedFhirServer fhir = EmbeddedFhirServer.empty().start()) {
            Response r = post(FhirClient.to(URI.create(fhir.baseUrl() + "/")).build(), PATIENT);

            assertThat(r.status()).isEqualTo(201);
            assertThat(r.headers().first("Location")).hasValueSatisfying(l -> assertThat(l).contains("/Patient/"));
            assertThat(fhir.count("Patient")).isEqualTo(1);
        }
    }

    @Test
    void serversOperationOutcomeComesBackWithItsIssues() throws Exception {
        try (EmbeddedFhirServer fhir = EmbeddedFhirServer.empty().start()) {
            String badTransaction = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"resource\":"
                    + PATIENT + "}]}";
            Response r = post(FhirClient.to(fhir.baseUrl()).asTransaction().build(), badTransaction);

            assertThat(r.status()).isEqualTo(400);
            Rejection rejection = r.rejection().orElseThrow();
            assertThat(rejection.message()).startsWith("FHIR server " + fhir.baseUrl() + " refused the transaction Bundle: HTTP 400: ")
                    .contains("request.method is missing");
            assertThat(rejection.details()).extracting(Rejection.Issue::message)
                    .anySatisfy(m -> assertThat(m).contains("request.method is missing"));
            assertThat(fhir.count("Patient")).isZero();
        }
    }

    @Test
    void plainCreateSendsIfNoneExistAndAuthHeaders() throws Exception {
        try (ScriptedServer s = new ScriptedServer(Answer.of(201, PATIENT), Answer.of(201, PATIENT))) {
            FhirClient bearer = FhirClient.to(s.base()).conditionalCreate("urn:oid:2.16.840.1.113883.3.72.5.9.1")
                    .auth(FhirAuth.bearer("s3cr3t-token")).build();
            assertThat(post(bearer, PATIENT).status()).isEqualTo(201);
            pipeline.close();
            pipeline = null;
            assertThat(post(FhirClient.to(s.base()).auth(FhirAuth.basic("harmony", "pa:ss")).build(), PATIENT).status())
                    .isEqualTo(201);

            ScriptedServer.Received first = s.received().get(0);
            assertThat(first.path()).isEqualTo("/fhir/Patient");
            assertThat(first.header("Authorization")).isEqualTo("Bearer s3cr3t-token");
            assertThat(first.header("If-None-Exist"))
                    .isEqualTo("identifier=urn%3Aoid%3A2.16.840.1.113883.3.72.5.9.1|MRN-77");
            assertThat(first.header("Content-Type")).startsWith("application/fhir+json");
            assertThat(first.header("X-Request-ID")).isNotBlank();
            assertThat(Json.mapper().readTree(first.body())).isEqualTo(Json.mapper().readTree(PATIENT));
            assertThat(s.received().get(1).header("Authorization")).isEqualTo("Basic aGFybW9ueTpwYTpzcw==");
            assertThat(s.received().get(1).header("If-None-Exist")).isNull();
            assertThat(bearer.describe().detail()).doesNotContain("s3cr3t").contains("bearer auth");
        }
    }

    @Test
    void retries503And429HonouringRetryAfterThenSucceeds() throws Exception {
        try (ScriptedServer s = new ScriptedServer(
                Answer.of(503, "").withHeader("Retry-After", "2"),
                Answer.of(429, ""),
                Answer.of(200, CREATED))) {
            FhirClient client = recordingWaits(FhirClient.to(s.base()).asTransaction()
                    .retry(Retry.attempts(4).backoff(Duration.ofMillis(100), Duration.ofSeconds(5)))).build();

            Response r = post(client, PATIENT);

            assertThat(r.status()).isEqualTo(200);
            assertThat(r.attribute(FhirClient.ATTEMPTS)).contains(3);
            assertThat(waits).containsExactly(Duration.ofSeconds(2), Duration.ofMillis(200));
            assertThat(s.received()).hasSize(3).allSatisfy(x -> assertThat(x.path()).isEqualTo("/fhir"));
        }
    }

    @Test
    void retryAfterBeyondTheCapIsReturnedToTheCallerAtOnce() throws Exception {
        Instant now = Instant.parse("2026-01-01T10:00:00Z");
        try (ScriptedServer s = new ScriptedServer(
                Answer.of(429, "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\","
                        + "\"code\":\"throttled\",\"diagnostics\":\"quota exceeded\"}]}")
                        .withHeader("Retry-After", "Thu, 01 Jan 2026 10:02:00 GMT"))) {
            FhirClient client = recordingWaits(FhirClient.to(s.base()).clock(Clock.fixed(now, ZoneOffset.UTC))).build();

            Response r = post(client, PATIENT);

            assertThat(r.status()).isEqualTo(429);
            Rejection rejection = r.rejection().orElseThrow();
            assertThat(rejection.retryAfter()).contains(Duration.ofMinutes(2));
            assertThat(rejection.message()).endsWith("HTTP 429: quota exceeded");
            assertThat(waits).isEmpty();
            assertThat(s.received()).hasSize(1);
        }
    }

    @Test
    void serverDownIsRetriedThen502() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        FhirClient client = recordingWaits(FhirClient.to(URI.create("http://127.0.0.1:" + port + "/fhir"))
                .retry(Retry.attempts(3).backoff(Duration.ofMillis(50), Duration.ofSeconds(1)))).build();

        Response r = post(client, PATIENT);

        assertThat(r.status()).isEqualTo(502);
        assertThat(r.rejection().orElseThrow().message())
                .startsWith("FHIR server http://127.0.0.1:" + port + "/fhir is unreachable (3 attempts)");
        assertThat(r.attribute(FhirClient.ATTEMPTS)).contains(3);
        assertThat(waits).containsExactly(Duration.ofMillis(50), Duration.ofMillis(100));
    }

    @Test
    void readTimeoutIsRetriedOnlyWhenIdempotentThen504() throws Exception {
        try (ScriptedServer s = new ScriptedServer(Answer.hanging(), Answer.hanging(), Answer.hanging())) {
            FhirClient plain = recordingWaits(FhirClient.to(s.base()).readTimeout(Duration.ofMillis(300))
                    .retry(Retry.attempts(2))).build();
            Response once = post(plain, PATIENT);
            assertThat(once.status()).isEqualTo(504);
            assertThat(once.rejection().orElseThrow().message()).contains("did not answer the Patient in time (1 attempt)");
            pipeline.close();
            pipeline = null;

            FhirClient conditional = recordingWaits(FhirClient.to(s.base()).readTimeout(Duration.ofMillis(300))
                    .asTransaction().conditionalCreate().retry(Retry.attempts(2))).build();
            Response twice = post(conditional, PATIENT);
            assertThat(twice.status()).isEqualTo(504);
            assertThat(twice.attribute(FhirClient.ATTEMPTS)).contains(2);
            assertThat(s.received()).hasSize(3);
        }
    }

    @Test
    void refusedCredentialsAreForbiddenAndServerErrorsUpstreamFailures() throws Exception {
        try (ScriptedServer s = new ScriptedServer(new Answer(401, Fhir.JSON, "{}", java.util.Map.of(), false),
                new Answer(500, Fhir.JSON, "{}", java.util.Map.of(), false))) {
            FhirClient client = FhirClient.to(s.base()).retry(Retry.none()).build();
            Response unauthorized = post(client, PATIENT);
            assertThat(unauthorized.rejection().orElseThrow().kind()).isEqualTo(Rejection.Kind.FORBIDDEN);
            assertThat(unauthorized.rejection().orElseThrow().message()).contains("refused Harmony's credentials");
            assertThat(post(client, PATIENT).rejection().orElseThrow().kind())
                    .isEqualTo(Rejection.Kind.UPSTREAM_UNAVAILABLE);
        }
    }

    @Test
    void successWithoutATransactionResponseIsTheUpstreamsFault() throws Exception {
        try (ScriptedServer s = new ScriptedServer(new Answer(200, "text/html", "<html>ok</html>", java.util.Map.of(),
                false))) {
            Response r = post(FhirClient.to(s.base()).asTransaction().build(), PATIENT);

            assertThat(r.status()).isEqualTo(502);
            assertThat(r.rejection().orElseThrow().message()).contains("no transaction-response Bundle");
        }
    }

    @Test
    void bodiesThatAreNotResourcesAreRefusedBeforeSending() throws IOException {
        try (ScriptedServer s = new ScriptedServer()) {
            FhirClient client = FhirClient.to(s.base()).build();
            assertThat(post(client, "{\"name\":\"x\"}").status()).isEqualTo(422);
            assertThat(post(client, "not json").status()).isEqualTo(400);
            assertThat(post(client, "{\"resourceType\":\"../admin\"}").status()).isEqualTo(422);
            assertThat(s.received()).isEmpty();
        }
    }

    @Test
    void misconfigurationFailsAtBuild() {
        assertThatThrownBy(() -> FhirClient.to(URI.create("ftp://x/fhir")).build())
                .hasMessageContaining("FHIR Client: base URL must be an absolute http(s) URL");
        assertThatThrownBy(() -> FhirClient.to(URI.create("http://u:pw@x/fhir")).build())
                .hasMessageContaining("auth(...)").hasMessageNotContaining("pw");
        assertThatThrownBy(() -> FhirClient.to(URI.create("http://x/fhir")).readTimeout(Duration.ZERO))
                .hasMessageContaining("readTimeout");
        assertThatThrownBy(() -> FhirAuth.bearer("two words")).hasMessageContaining("bearer token");
        assertThat(FhirClient.to(URI.create("http://127.0.0.1:8080/fhir")).asTransaction().conditionalCreate().build()
                .describe().detail()).isEqualTo("transaction Bundle, conditional create");
    }
}
