package example.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harmony.fhir.server.EmbeddedFhirServer;
import dev.harmony.http.backend.HttpForward;
import dev.harmony.http.frontend.HttpIngress;
import dev.harmony.pipeline.Pipeline;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The BOM-managed modules work together: an HTTP ingress forwarding to the embedded HAPI server. */
class BomConsumerTest {
    @Test
    void proxiesAFhirReadToTheEmbeddedServer() throws Exception {
        try (EmbeddedFhirServer fhir = EmbeddedFhirServer.seeded().start()) {
            HttpIngress ingress = HttpIngress.port(0).bind("127.0.0.1").prefix("/fhir").build();
            try (Pipeline proxy = Pipeline.builder().name("bom-consumer").frontend(ingress)
                    .backend(HttpForward.to(fhir.baseUrl()).build()).build()) {
                proxy.start();
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + ingress.port() + "/fhir/Patient?family=Doe"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());

                assertEquals(200, r.statusCode(), r.body());
                assertEquals("Bundle", new ObjectMapper().readTree(r.body()).path("resourceType").asText());
            }
        }
    }
}
