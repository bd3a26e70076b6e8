package dev.harmony.http.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.harmony.message.Json;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.testing.DirectFrontend;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class DashboardTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void servesThePageTheJsonAndEachPipelinesSvgOnLoopback() throws Exception {
        DirectFrontend in = DirectFrontend.create();
        try (Pipeline p = TestPipelines.guarded("dash-basic", in); Dashboard d = Dashboard.on(0).start()) {
            p.start();
            assertThat(d.url().getHost()).isEqualTo(InetAddress.getLoopbackAddress().getHostAddress());
            assertThat(d.port()).isPositive();

            HttpResponse<String> page = get(d.url(), null);
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
            assertThat(page.headers().firstValue("Content-Security-Policy")).get().asString()
                    .contains("default-src 'none'");
            assertThat(page.body()).contains("data-pipeline=\"dash-basic\"", "<svg", "data-stage=\"Key Check\"",
                    "<tr data-stage=\"Throttle\">", "<script>", "<style>")
                    .doesNotContain("<script src", "<link", "http://cdn", "https://");

            TestPipelines.send(in, "ok", 2);
            TestPipelines.send(in, "none", 1);
            JsonNode json = pipeline(get(d.url().resolve("api/pipelines"), null), "dash-basic");
            assertThat(json.get("frontend").asText()).isEqualTo("Direct Frontend");
            assertThat(json.get("exchanges").get("count").asLong()).isEqualTo(3);
            assertThat(json.get("exchanges").get("rejected").get("UNAUTHENTICATED").asLong()).isEqualTo(1);
            assertThat(json.get("stages").get(0).get("stage").asText()).isEqualTo("Key Check");
            assertThat(json.get("stages").get(2).get("figures").get("passed").asLong()).isEqualTo(2);
            assertThat(json.get("throughputPerSecond").asDouble()).isPositive();
            assertThat(json.get("diagram")).hasSize(6);
            assertThat(json.get("diagram").get(2).get("label").asText()).isEqualTo("Key Check");
            assertThat(json.get("diagram").get(2).get("detail").asText()).isEqualTo("X-Key header");
            assertThat(json.get("diagram").get(0).get("role").asText()).isEqualTo("source");

            HttpResponse<String> svg = get(d.url().resolve("pipelines/dash-basic.svg"), null);
            assertThat(svg.statusCode()).isEqualTo(200);
            assertThat(svg.headers().firstValue("Content-Type")).hasValue("image/svg+xml");
            assertThat(svg.body()).startsWith("<svg").contains("data-pipeline=\"dash-basic\"");
            assertThat(get(d.url().resolve("pipelines/nope.svg"), null).statusCode()).isEqualTo(404);
            assertThat(get(d.url().resolve("admin"), null).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void eachExchangeCountsOnceWhenTheApplicationAndTheDashboardShareTheMetrics() throws Exception {
        PipelineMetrics shared = PipelineMetrics.create();
        DirectFrontend in = DirectFrontend.create();
        try (Pipeline p = TestPipelines.guarded("dash-once", in)) {
            p.addListener(shared); // the application's own attachment, as the examples' Showcase does
            p.start();
            try (Dashboard d = Dashboard.on(0).metrics(shared).start()) {
                TestPipelines.send(in, "ok", 7);
                TestPipelines.send(in, "none", 2);
                TestPipelines.send(in, "slow-down", 1);
                TestPipelines.send(in, "boom", 1);
                get(d.url(), null); // every request also looks for pipelines to attach to

                JsonNode json = pipeline(get(d.url().resolve("api/pipelines"), null), "dash-once");
                JsonNode exchanges = json.get("exchanges");
                assertThat(exchanges.get("count").asLong()).isEqualTo(11);
                assertThat(exchanges.get("passed").asLong()).isEqualTo(7);
                assertThat(exchanges.get("rejected").get("UNAUTHENTICATED").asLong()).isEqualTo(2);
                assertThat(exchanges.get("rejected").get("TOO_MANY_REQUESTS").asLong()).isEqualTo(1);
                assertThat(exchanges.get("failed").asLong()).isEqualTo(1);
                assertThat(json.get("stages").get(0).get("figures").get("count").asLong()).isEqualTo(11);
                assertThat(json.get("stages").get(1).get("figures").get("count").asLong()).isEqualTo(9);
                assertThat(json.get("stages").get(2).get("figures").get("count").asLong()).isEqualTo(7);
            }
            // closing the dashboard left the application's attachment alone
            TestPipelines.send(in, "ok", 1);
            assertThat(shared.snapshot(p).exchanges().count()).isEqualTo(12);
        }
    }

    @Test
    void onLoopbackItAnswersOnlyToLocalHostNamesAgainstDnsRebinding() throws Exception {
        try (Dashboard d = Dashboard.on(0).start()) {
            assertThat(rawStatusLine(d.port(), "evil.example:" + d.port())).startsWith("HTTP/1.1 421");
            assertThat(rawStatusLine(d.port(), "localhost:" + d.port())).startsWith("HTTP/1.1 200");
            assertThat(rawStatusLine(d.port(), "127.0.0.1:" + d.port())).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void answersHeadWithoutABody() throws Exception {
        try (Dashboard d = Dashboard.on(0).start()) {
            HttpResponse<String> head = http.send(HttpRequest.newBuilder(d.url().resolve("api/pipelines"))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.body()).isEmpty();
            assertThat(head.headers().firstValueAsLong("Content-Length")).isPresent();
        }
    }

    private static String rawStatusLine(int port, String host) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET /api/pipelines HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            return response.substring(0, response.indexOf("\r\n"));
        }
    }

    @Test
    void isReadOnly() throws Exception {
        try (Dashboard d = Dashboard.on(0).start()) {
            HttpResponse<String> post = http.send(HttpRequest.newBuilder(d.url().resolve("api/pipelines"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
        }
    }

    @Test
    void basicAuthRefusesMissingAndWrongCredentials() throws Exception {
        try (Dashboard d = Dashboard.on(0).basicAuth("admin", "s3cret-pass").start()) {
            HttpResponse<String> none = get(d.url(), null);
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.headers().allValues("WWW-Authenticate")).containsExactly(
                    "Basic realm=\"Harmony dashboard\", charset=\"UTF-8\"");
            assertThat(none.body()).doesNotContain("<svg");
            assertThat(get(d.url().resolve("api/pipelines"), basic("admin", "wrong")).statusCode()).isEqualTo(401);
            assertThat(get(d.url().resolve("api/pipelines"), "Bearer s3cret-pass").statusCode()).isEqualTo(401);
            assertThat(get(d.url(), basic("admin", "s3cret-pass")).statusCode()).isEqualTo(200);
            assertThat(get(d.url(), basic("admin", "s3cret-pass").replace("Basic", "basic")).statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void bearerTokenProtectsTheJsonEndpoint() throws Exception {
        try (Dashboard d = Dashboard.on(0).bearer("tok-123").basicAuth("ops", "pw").start()) {
            URI api = d.url().resolve("api/pipelines");
            HttpResponse<String> none = get(api, null);
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.headers().allValues("WWW-Authenticate")).hasSize(2)
                    .anySatisfy(v -> assertThat(v).startsWith("Bearer realm="));
            assertThat(get(api, "Bearer tok-1234").statusCode()).isEqualTo(401);
            assertThat(get(api, "Bearer tok-123").statusCode()).isEqualTo(200);
            assertThat(get(api, basic("ops", "pw")).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void attachesToPipelinesStartedAfterItAndDetachesOnClose() throws Exception {
        PipelineMetrics metrics = PipelineMetrics.create();
        DirectFrontend in = DirectFrontend.create();
        try (Pipeline p = TestPipelines.guarded("dash-late", in)) {
            Dashboard d = Dashboard.on(0).metrics(metrics).start();
            int port = d.port();
            try {
                p.start();
                // the dashboard attaches on its own within a quarter second; wait for it with a deadline
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (metrics.snapshot(p).exchanges().count() == 0) {
                    assertThat(System.nanoTime()).as("dashboard attached in time").isLessThan(deadline);
                    TestPipelines.send(in, "probe", 1);
                    Thread.onSpinWait();
                }
                long before = metrics.snapshot(p).exchanges().count();
                TestPipelines.send(in, "ok", 4);
                assertThat(metrics.snapshot(p).exchanges().count()).isEqualTo(before + 4);
            } finally {
                d.close();
            }
            d.close();
            long afterClose = metrics.snapshot(p).exchanges().count();
            TestPipelines.send(in, "ok", 3);
            assertThat(metrics.snapshot(p).exchanges().count()).as("detached on close").isEqualTo(afterClose);
            assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
                    .isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void escapesStageNamesInThePage() throws Exception {
        DirectFrontend in = DirectFrontend.create();
        try (Pipeline p = Pipeline.builder().name("dash-escape").frontend(in)
                .use("<img src=x onerror=alert(1)>", chain -> chain.proceed(chain.request()))
                .backend(r -> Response.ok()).build(); Dashboard d = Dashboard.on(0).start()) {
            p.start();
            String page = get(d.url(), null).body();
            assertThat(page).contains("data-pipeline=\"dash-escape\"").doesNotContain("<img")
                    .contains("&lt;img src=x onerror=alert(1)&gt;");
        }
    }

    @Test
    void misconfigurationFailsNamingTheOption() throws Exception {
        assertThatThrownBy(() -> Dashboard.on(70_000)).hasMessageContaining("dashboard: port");
        assertThatThrownBy(() -> Dashboard.on(0).bearer(" ")).hasMessageContaining("dashboard: bearer");
        assertThatThrownBy(() -> Dashboard.on(0).basicAuth("a:b", "x")).hasMessageContaining("dashboard: basicAuth");
        try (Dashboard first = Dashboard.on(0).start()) {
            assertThatThrownBy(() -> Dashboard.on(first.port()).start())
                    .hasMessageContaining("dashboard: cannot listen on").hasMessageContaining(":" + first.port());
        }
    }

    private HttpResponse<String> get(URI uri, String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode pipeline(HttpResponse<String> response, String name) throws IOException {
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        for (JsonNode p : Json.mapper().readTree(response.body()).get("pipelines")) {
            if (p.get("name").asText().equals(name)) {
                return p;
            }
        }
        throw new AssertionError(name + " missing from " + response.body());
    }
}
