package dev.harmony.examples.fhirproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.harmony.message.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The fhir-proxy example end to end on loopback: embedded HAPI upstream, generated token, FHIR-shaped errors. */
class FhirProxyExampleTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final FhirProxyServer.Keys GENERATED = new FhirProxyServer.Keys(null, null, null, null, null);

    private static HttpResponse<String> get(URI uri, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertOperationOutcome(HttpResponse<String> r, int status) throws Exception {
        assertThat(r.statusCode()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/fhir+json");
        JsonNode body = Json.mapper().readTree(r.body());
        assertThat(body.get("resourceType").asText()).isEqualTo("OperationOutcome");
        assertThat(body.at("/issue/0/severity").asText()).isEqualTo("error");
    }

    @Test
    void proxiesTheEmbeddedServerWithTheGeneratedTokenAndAnswersErrorsAsOperationOutcomes() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (FhirProxyServer proxy = FhirProxyServer.start(0, "127.0.0.1", null, GENERATED,
                FhirProxyExample.parseRate("5/min"), new PrintStream(printed, true, StandardCharsets.UTF_8))) {
            String out = printed.toString(StandardCharsets.UTF_8);
            assertThat(out).startsWith("READY fhir-proxy " + proxy.port() + "\n").contains("curl -sS -H 'Authorization: Bearer ");
            assertThat(proxy.sampleToken()).isNotBlank();

            HttpResponse<String> search = get(URI.create(proxy.baseUrl() + "/Patient?family=Doe"), proxy.sampleToken());
            assertThat(search.statusCode()).isEqualTo(200);
            assertThat(search.headers().firstValue("RateLimit-Limit")).contains("5");
            assertThat(Json.mapper().readTree(search.body()).get("entry")).hasSize(1);

            HttpResponse<String> anonymous = get(URI.create(proxy.baseUrl() + "/Patient"), null);
            assertOperationOutcome(anonymous, 401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"harmony\"");

            HttpResponse<String> forged = get(URI.create(proxy.baseUrl() + "/Patient"),
                    DemoTokens.sample(DemoTokens.newSecret(), null, null, Duration.ofMinutes(5)));
            assertOperationOutcome(forged, 401);
            assertThat(forged.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("invalid_token");

            for (int i = 0; i < 4; i++) {
                assertThat(get(URI.create(proxy.baseUrl() + "/Patient/1"), proxy.sampleToken()).statusCode()).isEqualTo(200);
            }
            HttpResponse<String> limited = get(URI.create(proxy.baseUrl() + "/Patient/1"), proxy.sampleToken());
            assertOperationOutcome(limited, 429);
            assertThat(limited.headers().firstValue("Retry-After")).isPresent();
        }
    }

    @Test
    void unreachableUpstreamIs502OperationOutcome() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        String secret = DemoTokens.newSecret();
        FhirProxyServer.Keys keys = new FhirProxyServer.Keys(secret, null, null, "https://idp.test/", "fhir-proxy");
        try (FhirProxyServer proxy = FhirProxyServer.start(0, "127.0.0.1", URI.create("http://127.0.0.1:" + closed + "/fhir"),
                keys, FhirProxyExample.defaultRateLimit(), new PrintStream(new ByteArrayOutputStream(), true,
                        StandardCharsets.UTF_8))) {
            assertThat(proxy.sampleToken()).isNull(); // a secret was given: nothing generated
            String token = DemoTokens.sample(secret, "https://idp.test/", "fhir-proxy", Duration.ofMinutes(5));
            HttpResponse<String> r = get(URI.create(proxy.baseUrl() + "/Patient"), token);
            assertOperationOutcome(r, 502);
            assertThat(r.body()).contains("unreachable");
            String wrongAudience = DemoTokens.sample(secret, "https://idp.test/", "other", Duration.ofMinutes(5));
            assertOperationOutcome(get(URI.create(proxy.baseUrl() + "/Patient"), wrongAudience), 401);
        }
    }

    @Test
    void optionsAreCheckedAndTheDiagramShowsTheSeedPipeline() {
        assertThat(FhirProxyExample.parseRate("10/s").describe().detail()).isEqualTo("10 req/s");
        assertThat(FhirProxyExample.parseRate("100/min").describe().detail()).isEqualTo("100 req/min");
        assertThatThrownBy(() -> FhirProxyExample.parseRate("100")).hasMessageContaining("--rate");
        assertThatThrownBy(() -> FhirProxyExample.parseRate("0/min")).hasMessageContaining("--rate");
        assertThatThrownBy(() -> FhirProxyExample.parseRate("5/week")).hasMessageContaining("unknown unit");
        assertThatThrownBy(() -> new FhirProxyServer.Keys("s", null, URI.create("http://idp/jwks"), null, null))
                .hasMessageContaining("at most one");
        String flow = FhirProxyExample.pipeline().diagram().flow();
        assertThat(flow).contains("Mobile App").contains("HTTP Ingress").contains("Auth Guard").contains("Rate Limit")
                .contains("HTTP Forward").contains("FHIR R4 Server");
    }
}
