package dev.harmony.http.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.diagram.DiagramRenderer;
import dev.harmony.http.backend.HttpForward;
import dev.harmony.http.frontend.HttpIngress;
import dev.harmony.http.middleware.JwtAuth;
import dev.harmony.fhir.backend.FhirAuth;
import dev.harmony.fhir.backend.FhirClient;
import dev.harmony.http.middleware.RateLimit;
import dev.harmony.message.Protocol;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.testing.DirectFrontend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The real HTTP stages configured with secrets (an HS256 key, upstream credentials in the URL) draw and
 * report themselves without them: in every diagram format, on the dashboard page, its JSON and SVG.
 */
class DashboardSecretsTest {
    private static final String HS256_SECRET = "hs256-Sup3r-s3cret-signing-key-0123456789abcdef";
    private static final String UPSTREAM_PASSWORD = "upstream-Pa55word";

    @Test
    void fhirClientCredentialsStayOutOfEveryRendering() throws Exception {
        String token = "eyJhbGciOiJIUzI1NiJ9.fhir-bearer-token.c2lnbmF0dXJl";
        String password = "fhir-basic-Pa55";
        DirectFrontend in = DirectFrontend.speaking(Protocol.HTTP);
        try (Pipeline bearer = Pipeline.builder().name("secret-fhir-bearer").frontend(in)
                .backend(FhirClient.to(URI.create("http://127.0.0.1:9/fhir")).auth(FhirAuth.bearer(token)).build())
                .build();
                Pipeline basic = Pipeline.builder().name("secret-fhir-basic").frontend(DirectFrontend.create())
                        .backend(FhirClient.to(URI.create("http://127.0.0.1:9/fhir"))
                                .auth(FhirAuth.basic("svc-user", password)).build())
                        .build()) {
            bearer.start();
            basic.start();
            try (Dashboard d = Dashboard.on(0).start()) {
                List<String> outputs = renderingsAndDashboard(bearer, d);
                outputs.addAll(renderingsAndDashboard(basic, d));
                String basicHeader = Base64.getEncoder().encodeToString(("svc-user:" + password)
                        .getBytes(StandardCharsets.UTF_8));
                for (String out : outputs) {
                    assertThat(out).contains("FHIR Client").containsAnyOf("bearer auth", "basic auth")
                            .doesNotContain(token, "fhir-bearer-token", password, basicHeader);
                }
            }
        }
    }

    private static List<String> renderingsAndDashboard(Pipeline p, Dashboard d) throws Exception {
        List<String> outputs = new ArrayList<>();
        for (DiagramRenderer r : List.of(DiagramRenderer.svg(), DiagramRenderer.text(), DiagramRenderer.mermaid())) {
            outputs.add(r.render(p.diagram()));
        }
        HttpClient http = HttpClient.newHttpClient();
        for (String path : List.of("", "api/pipelines", "pipelines/" + p.name() + ".svg")) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(d.url().resolve(path))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(r.body()).contains(p.name());
            outputs.add(r.body());
        }
        return outputs;
    }

    @Test
    void noRenderingOrDashboardResourceContainsASecret() throws Exception {
        try (Pipeline p = Pipeline.builder().name("secret-proxy")
                .source("Mobile App")
                .frontend(HttpIngress.port(0).bind("127.0.0.1").build())
                .use(JwtAuth.hmacSecret(HS256_SECRET).issuer("https://idp.example").build())
                .use(RateLimit.perMinute(100).build())
                .backend(HttpForward.to(URI.create("http://svc:" + UPSTREAM_PASSWORD + "@127.0.0.1:9/fhir")).build())
                .target("FHIR Server")
                .build()) {
            p.start();
            try (Dashboard d = Dashboard.on(0).start()) {
                List<String> outputs = renderingsAndDashboard(p, d);
                String encodedSecret = Base64.getEncoder().encodeToString(HS256_SECRET.getBytes(StandardCharsets.UTF_8));
                for (String out : outputs) {
                    // the descriptions are there and meaningful...
                    assertThat(out).contains("Auth Guard", "HS256", "Rate Limit", "100 req/min", "127.0.0.1");
                    // ...and carry no secret in any spelling
                    assertThat(out).doesNotContain(HS256_SECRET, "Sup3r-s3cret", encodedSecret, UPSTREAM_PASSWORD,
                            "svc:");
                }
            }
        }
    }
}
