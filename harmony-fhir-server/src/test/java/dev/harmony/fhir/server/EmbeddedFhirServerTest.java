package dev.harmony.fhir.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.harmony.message.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EmbeddedFhirServerTest {
    private static final String FHIR_JSON = "application/fhir+json";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private EmbeddedFhirServer server;

    @BeforeEach
    void start() {
        server = EmbeddedFhirServer.seeded().start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void seededServerListsSamplePatientsAndObservations() throws Exception {
        assertThat(server.baseUrl().toString()).startsWith("http://127.0.0.1:").endsWith("/fhir");
        assertThat(server.count("Patient")).isEqualTo(3);
        assertThat(server.count("Observation")).isEqualTo(2);
        assertThat(server.resources(Patient.class)).extracting(p -> p.getNameFirstRep().getFamily())
                .containsExactly("Doe", "Smith", "Garcia");

        Answer all = get("/Patient");
        assertThat(all.status).isEqualTo(200);
        assertThat(all.json.get("resourceType").asText()).isEqualTo("Bundle");
        assertThat(all.json.get("entry")).hasSize(3);
    }

    @Test
    void readsAndSearchesLikeAFhirServer() throws Exception {
        String janeId = server.resources(Patient.class).get(0).getIdElement().getIdPart();
        Answer read = get("/Patient/" + janeId);
        assertThat(read.status).isEqualTo(200);
        assertThat(read.json.at("/name/0/family").asText()).isEqualTo("Doe");
        assertThat(read.json.at("/meta/versionId").asText()).isEqualTo("1");

        assertThat(entries(get("/Patient?identifier=urn:harmony:mrn%7C1002"))).isEqualTo(1);
        assertThat(entries(get("/Patient?family=gar"))).isEqualTo(1);
        assertThat(entries(get("/Patient?name=john"))).isEqualTo(1);
        assertThat(entries(get("/Patient?_id=" + janeId))).isEqualTo(1);
        assertThat(entries(get("/Observation?subject=Patient/" + janeId))).isEqualTo(2);
        assertThat(entries(get("/Patient?family=nobody"))).isZero();

        Answer missing = get("/Patient/424242");
        assertThat(missing.status).isEqualTo(404);
        assertThat(missing.json.get("resourceType").asText()).isEqualTo("OperationOutcome");
        assertThat(get("/Patient?unknownparam=1").status).isEqualTo(400);
    }

    @Test
    void createUpdateVreadDelete() throws Exception {
        Answer created = send("POST", "/Patient", """
                {"resourceType":"Patient","name":[{"family":"Nguyen","given":["An"]}]}""");
        assertThat(created.status).isEqualTo(201);
        String location = created.response.headers().firstValue("Location").orElseThrow();
        String id = location.replaceAll(".*/Patient/([^/]+)/_history/.*", "$1");
        assertThat(server.count("Patient")).isEqualTo(4);

        Answer updated = send("PUT", "/Patient/" + id, """
                {"resourceType":"Patient","id":"%s","name":[{"family":"Nguyen-Tran"}]}""".formatted(id));
        assertThat(updated.status).isEqualTo(200);
        assertThat(get("/Patient/" + id + "/_history/1").json.at("/name/0/family").asText()).isEqualTo("Nguyen");
        assertThat(get("/Patient/" + id).json.at("/name/0/family").asText()).isEqualTo("Nguyen-Tran");

        assertThat(send("DELETE", "/Patient/" + id, null).status).isIn(200, 204);
        assertThat(get("/Patient/" + id).status).isEqualTo(410);
        assertThat(server.count("Patient")).isEqualTo(3);
    }

    @Test
    void transactionConditionalCreateDoesNotDuplicate() throws Exception {
        String bundle = """
                {"resourceType":"Bundle","type":"transaction","entry":[
                  {"fullUrl":"urn:uuid:7f1c0d1e-0000-4000-8000-000000000001",
                   "resource":{"resourceType":"Patient","identifier":[{"system":"urn:test:mrn","value":"A-77"}],
                               "name":[{"family":"Okafor"}]},
                   "request":{"method":"POST","url":"Patient","ifNoneExist":"identifier=urn:test:mrn|A-77"}},
                  {"resource":{"resourceType":"Observation","status":"final",
                               "code":{"text":"Heart rate"},
                               "subject":{"reference":"urn:uuid:7f1c0d1e-0000-4000-8000-000000000001"}},
                   "request":{"method":"POST","url":"Observation"}}]}""";
        Answer first = send("POST", "", bundle);
        assertThat(first.status).isEqualTo(200);
        assertThat(first.json.get("type").asText()).isEqualTo("transaction-response");
        assertThat(first.json.at("/entry/0/response/status").asText()).startsWith("201");
        String patientLocation = first.json.at("/entry/0/response/location").asText();
        assertThat(patientLocation).matches("Patient/[^/]+/_history/1");

        Answer second = send("POST", "", bundle);
        assertThat(second.json.at("/entry/0/response/status").asText()).startsWith("200");
        assertThat(second.json.at("/entry/0/response/location").asText()).isEqualTo(patientLocation);

        assertThat(server.count("Patient")).isEqualTo(4);
        assertThat(server.resources(Patient.class))
                .filteredOn(p -> p.getIdentifierFirstRep().getValue().equals("A-77")).hasSize(1);
        String patientRef = patientLocation.substring(0, patientLocation.indexOf("/_history"));
        assertThat(server.resources(Observation.class))
                .filteredOn(o -> o.getSubject().getReference().equals(patientRef)).hasSize(2);
    }

    @Test
    void badTransactionEntryWritesNothing() throws Exception {
        String bundle = """
                {"resourceType":"Bundle","type":"transaction","entry":[
                  {"resource":{"resourceType":"Patient","name":[{"family":"Partial"}]},
                   "request":{"method":"POST","url":"Patient"}},
                  {"resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Observation"}}]}""";
        Answer answer = send("POST", "", bundle);
        assertThat(answer.status).isEqualTo(400);
        assertThat(answer.json.get("resourceType").asText()).isEqualTo("OperationOutcome");
        assertThat(server.count("Patient")).isEqualTo(3);
        assertThat(get("/Patient").status).isEqualTo(200);
    }

    @Test
    void linksFollowForwardedHeadersFromAProxy() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/Patient"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", FHIR_JSON)
                .header("X-Forwarded-Host", "proxy.example:8443")
                .header("X-Forwarded-Proto", "https")
                .header("X-Forwarded-Prefix", "/api/fhir")
                .POST(HttpRequest.BodyPublishers.ofString("{\"resourceType\":\"Patient\"}"))
                .build();
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(r.headers().firstValue("Location").orElseThrow()).startsWith("https://proxy.example:8443/api/fhir/Patient/");
        assertThat(get("/Patient").json.at("/link/0/url").asText()).startsWith(server.baseUrl().toString());
    }

    @Test
    void emptyServerAndExcludedDependencies() {
        try (EmbeddedFhirServer empty = EmbeddedFhirServer.empty().start()) {
            assertThat(empty.count("Patient")).isZero();
            assertThat(empty.port()).isNotEqualTo(server.port());
        }
        // The pom excludes these from hapi-fhir-server; this class serves without them.
        assertThatThrownBy(() -> Class.forName("org.apache.http.impl.client.HttpClients"))
                .isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("org.springframework.core.SpringVersion"))
                .isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("org.simplejavamail.api.email.Email"))
                .isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> EmbeddedFhirServer.onPort(70000, false))
                .hasMessageContaining("port must be 0..65535");
    }

    private record Answer(int status, JsonNode json, HttpResponse<String> response) {
    }

    private Answer get(String path) throws IOException, InterruptedException {
        return send("GET", path, null);
    }

    private Answer send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .timeout(Duration.ofSeconds(10))
                .header("Accept", FHIR_JSON)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", FHIR_JSON);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = r.body().isEmpty() ? Json.mapper().createObjectNode() : Json.mapper().readTree(r.body());
        return new Answer(r.statusCode(), json, r);
    }

    private static int entries(Answer a) {
        assertThat(a.status).isEqualTo(200);
        return a.json.path("entry").size();
    }
}
