package dev.harmony.http.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.harmony.message.Json;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.testing.DirectFrontend;
import dev.harmony.testing.RecordingBackend;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus server (Debian package {@code prometheus}) scrapes the dashboard with basic auth; its
 * parser accepts the exposition and its query API returns exactly the counts of the traffic sent.
 */
class PrometheusScrapeTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path tmp;
    private URI api;
    private Path log;

    @Test
    void aPrometheusServerScrapesExactCounts() throws Exception {
        String odd = "Odd \"stage\" \\ with\nline feed";
        DirectFrontend in = DirectFrontend.create();
        DirectFrontend oddIn = DirectFrontend.create();
        try (Pipeline p = TestPipelines.guarded("prom-real", in);
                Pipeline q = Pipeline.builder().name("prom-real-odd").frontend(oddIn)
                        .use(odd, chain -> chain.proceed(chain.request()))
                        .backend(RecordingBackend.answering(Response.ok())).build();
                Dashboard d = Dashboard.on(0).pipelines(() -> List.of(p, q)).basicAuth("prom", "scrape-secret")
                        .start()) {
            p.start();
            q.start();
            TestPipelines.send(in, "ok", 5);
            TestPipelines.send(in, "none", 3);
            TestPipelines.send(in, "slow-down", 2);
            TestPipelines.send(in, "boom", 1);
            oddIn.send(oddIn.request("GET", "/"));

            Process prometheus = startPrometheus(d.port());
            try {
                JsonNode target = awaitScraped(prometheus);
                assertThat(target.get("health").asText()).as("target " + target).isEqualTo("up");
                assertThat(target.get("lastError").asText()).isEmpty();

                Map<String, Double> exchanges = byLabels(
                        query("harmony_exchange_seconds_count{pipeline=\"prom-real\"}"), "outcome", "rejection");
                assertThat(exchanges).containsOnly(Map.entry("passed/none", 5.0),
                        Map.entry("rejected/unauthenticated", 3.0), Map.entry("rejected/too_many_requests", 2.0),
                        Map.entry("failed/none", 1.0));
                Map<String, Double> stages = byLabels(query("harmony_stage_seconds_count{pipeline=\"prom-real\"}"),
                        "stage", "role", "outcome", "rejection");
                assertThat(stages).containsOnly(
                        Map.entry("Key Check/middleware/passed/none", 8.0),
                        Map.entry("Key Check/middleware/rejected/unauthenticated", 3.0),
                        Map.entry("Key Check/middleware/failed/none", 0.0),
                        Map.entry("Throttle/middleware/passed/none", 5.0),
                        Map.entry("Throttle/middleware/rejected/too_many_requests", 2.0),
                        Map.entry("Throttle/middleware/failed/none", 1.0),
                        Map.entry("Store/backend/passed/none", 5.0),
                        Map.entry("Store/backend/failed/none", 0.0));
                // the escaped stage name arrives in Prometheus as it was written
                assertThat(byLabels(query("harmony_stage_seconds_count{pipeline=\"prom-real-odd\","
                        + "role=\"middleware\",outcome=\"passed\"}"), "stage")).containsOnly(Map.entry(odd, 1.0));
                assertThat(byLabels(query("harmony_exchanges_in_flight"), "pipeline"))
                        .containsOnly(Map.entry("prom-real", 0.0), Map.entry("prom-real-odd", 0.0));
                assertThat(byLabels(query("sum(harmony_exchange_seconds_sum{pipeline=\"prom-real\"}) > 0")))
                        .hasSize(1);
            } finally {
                stop(prometheus);
            }
        }
    }

    private Process startPrometheus(int dashboardPort) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path config = Files.writeString(tmp.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: harmony
                    basic_auth:
                      username: prom
                      password: scrape-secret
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(dashboardPort));
        api = URI.create("http://127.0.0.1:" + port + "/api/v1/");
        log = tmp.resolve("prometheus.log");
        return new ProcessBuilder("prometheus", "--config.file=" + config, "--storage.tsdb.path=" + tmp.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Waits (bounded) until Prometheus has scraped the dashboard once and returns that target's state. */
    private JsonNode awaitScraped(Process prometheus) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            assertThat(prometheus.isAlive()).as("prometheus running; log: %s", log()).isTrue();
            try {
                JsonNode targets = get("targets").path("data").path("activeTargets");
                if (targets.size() == 1 && !targets.get(0).get("health").asText().equals("unknown")) {
                    return targets.get(0);
                }
            } catch (IOException notYetListening) {
                // Prometheus is still starting
            }
            prometheus.waitFor(100, TimeUnit.MILLISECONDS); // returns at once if it died
        }
        throw new AssertionError("Prometheus did not scrape within " + PATIENCE + "; log: " + log());
    }

    private JsonNode query(String promql) throws Exception {
        JsonNode answer = get("query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        assertThat(answer.get("status").asText()).as(answer.toString()).isEqualTo("success");
        return answer.get("data").get("result");
    }

    /** Each result's value keyed by the given labels joined with '/'. */
    private static Map<String, Double> byLabels(JsonNode result, String... labels) {
        Map<String, Double> out = new HashMap<>();
        for (JsonNode r : result) {
            StringBuilder key = new StringBuilder();
            for (String l : labels) {
                key.append(key.length() == 0 ? "" : "/").append(r.get("metric").path(l).asText());
            }
            assertThat(out.put(key.toString(), Double.parseDouble(r.get("value").get(1).asText()))).isNull();
        }
        return out;
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(api.resolve(path)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        return Json.mapper().readTree(r.body());
    }

    private String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
