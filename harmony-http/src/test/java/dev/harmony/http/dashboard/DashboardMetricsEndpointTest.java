package dev.harmony.http.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.harmony.message.Response;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.testing.DirectFrontend;
import dev.harmony.testing.RecordingBackend;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /metrics} scraped over real HTTP, read by a strict parser and by Prometheus' own promtool. */
class DashboardMetricsEndpointTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path tmp;

    @Test
    void countsOfKnownTrafficScrapeExactlyByPipelineStageOutcomeAndKind() throws Exception {
        DirectFrontend in = DirectFrontend.create();
        try (Pipeline p = TestPipelines.guarded("prom-exact", in); Dashboard d = Dashboard.on(0).start()) {
            p.start();
            get(d.url().resolve("metrics"), null); // a request attaches the dashboard to pipelines started since
            TestPipelines.send(in, "ok", 7);
            TestPipelines.send(in, "none", 4);       // Key Check: 401
            TestPipelines.send(in, "slow-down", 3);  // Throttle: 429
            TestPipelines.send(in, "boom", 2);       // Throttle throws

            HttpResponse<String> scrape = get(d.url().resolve("metrics"), null);
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            Exposition e = Exposition.parse(scrape.body());
            assertThat(e.types).containsEntry("harmony_exchange_seconds", "summary")
                    .containsEntry("harmony_stage_seconds", "summary")
                    .containsEntry("harmony_exchanges_in_flight", "gauge");

            assertThat(only(e.series("harmony_exchange_seconds_count"), "prom-exact")).containsOnly(
                    entry(labels("prom-exact", null, null, "passed", "none"), 7.0),
                    entry(labels("prom-exact", null, null, "rejected", "unauthenticated"), 4.0),
                    entry(labels("prom-exact", null, null, "rejected", "too_many_requests"), 3.0),
                    entry(labels("prom-exact", null, null, "failed", "none"), 2.0));
            assertThat(only(e.series("harmony_stage_seconds_count"), "prom-exact")).containsOnly(
                    // Key Check handed on all it did not refuse, including what failed or was throttled later
                    entry(labels("prom-exact", "Key Check", "middleware", "passed", "none"), 12.0),
                    entry(labels("prom-exact", "Key Check", "middleware", "rejected", "unauthenticated"), 4.0),
                    entry(labels("prom-exact", "Key Check", "middleware", "failed", "none"), 0.0),
                    entry(labels("prom-exact", "Throttle", "middleware", "passed", "none"), 7.0),
                    entry(labels("prom-exact", "Throttle", "middleware", "rejected", "too_many_requests"), 3.0),
                    entry(labels("prom-exact", "Throttle", "middleware", "failed", "none"), 2.0),
                    entry(labels("prom-exact", "Store", "backend", "passed", "none"), 7.0),
                    entry(labels("prom-exact", "Store", "backend", "failed", "none"), 0.0));
            // each _count has its _sum and nothing else does
            assertThat(only(e.series("harmony_stage_seconds_sum"), "prom-exact").keySet())
                    .isEqualTo(only(e.series("harmony_stage_seconds_count"), "prom-exact").keySet());
            assertThat(e.value("harmony_exchange_seconds_sum", "pipeline", "prom-exact", "outcome", "passed",
                    "rejection", "none")).isPositive();
            assertThat(e.value("harmony_stage_seconds_sum", "pipeline", "prom-exact", "stage", "Store",
                    "role", "backend", "outcome", "failed", "rejection", "none")).isZero();
            assertThat(e.value("harmony_exchanges_in_flight", "pipeline", "prom-exact")).isZero();
            // the figures are the page's: the same counters, not a second count
            assertThat(d.metrics().snapshot(p).exchanges().count()).isEqualTo(16);

            promtoolAccepts(scrape.body());

            TestPipelines.send(in, "ok", 1);
            Exposition again = Exposition.parse(get(d.url().resolve("metrics"), null).body());
            assertThat(again.value("harmony_exchange_seconds_count", "pipeline", "prom-exact", "outcome", "passed",
                    "rejection", "none")).isEqualTo(8.0);
        }
    }

    @Test
    void aQuietPipelineExportsZeroSeriesForEveryDeclaredStage() throws Exception {
        DirectFrontend in = DirectFrontend.create();
        try (Pipeline p = TestPipelines.guarded("prom-quiet", in);
                Dashboard d = Dashboard.on(0).pipelines(() -> List.of(p)).start()) {
            p.start();
            Exposition e = Exposition.parse(get(d.url().resolve("metrics"), null).body());
            assertThat(only(e.series("harmony_exchange_seconds_count"), "prom-quiet")).containsOnly(
                    entry(labels("prom-quiet", null, null, "passed", "none"), 0.0),
                    entry(labels("prom-quiet", null, null, "failed", "none"), 0.0));
            assertThat(only(e.series("harmony_stage_seconds_count"), "prom-quiet").keySet())
                    .extracting(l -> l.get("stage") + "/" + l.get("outcome"))
                    .containsExactly("Key Check/passed", "Key Check/failed", "Throttle/passed", "Throttle/failed",
                            "Store/passed", "Store/failed");
        }
    }

    @Test
    void aStoppedPipelineKeepsItsCountsSoCountersNeverGoBack() throws Exception {
        DirectFrontend in = DirectFrontend.create();
        try (Dashboard d = Dashboard.on(0).start()) {
            try (Pipeline p = TestPipelines.guarded("prom-stopped", in)) {
                p.start();
                get(d.url().resolve("metrics"), null); // a request attaches to pipelines started since
                TestPipelines.send(in, "ok", 3);
            }
            Exposition e = Exposition.parse(get(d.url().resolve("metrics"), null).body());
            assertThat(e.value("harmony_exchange_seconds_count", "pipeline", "prom-stopped", "outcome", "passed",
                    "rejection", "none")).isEqualTo(3.0);
            assertThat(e.value("harmony_stage_seconds_count", "pipeline", "prom-stopped", "stage", "Store",
                    "role", "backend", "outcome", "passed", "rejection", "none")).isEqualTo(3.0);
        }
    }

    @Test
    void stageNamesWithQuotesBackslashesAndLineFeedsAreEscaped() throws Exception {
        String odd = "Odd \"stage\" \\ with\nline feed";
        DirectFrontend in = DirectFrontend.create();
        try (Pipeline p = Pipeline.builder().name("prom-odd").frontend(in)
                .use(odd, chain -> chain.proceed(chain.request()))
                .backend(RecordingBackend.answering(Response.ok())).build();
                Dashboard d = Dashboard.on(0).pipelines(() -> List.of(p)).start()) {
            p.start();
            in.send(in.request("GET", "/"));
            String body = get(d.url().resolve("metrics"), null).body();
            assertThat(body).contains("stage=\"Odd \\\"stage\\\" \\\\ with\\nline feed\"");
            Exposition e = Exposition.parse(body);
            assertThat(e.value("harmony_stage_seconds_count", "pipeline", "prom-odd", "stage", odd,
                    "role", "middleware", "outcome", "passed", "rejection", "none")).isEqualTo(1.0);
            promtoolAccepts(body);
        }
    }

    @Test
    void metricsNeedTheSameCredentialsAsThePageAndAnswerHead() throws Exception {
        try (Dashboard d = Dashboard.on(0).basicAuth("prom", "scrape-secret").bearer("tok-123").start()) {
            URI metrics = d.url().resolve("metrics");
            assertThat(get(metrics, null).statusCode()).isEqualTo(401);
            assertThat(get(metrics, "Bearer wrong").statusCode()).isEqualTo(401);
            assertThat(get(metrics, "Bearer tok-123").statusCode()).isEqualTo(200);
            String basic = "Basic " + Base64.getEncoder().encodeToString("prom:scrape-secret".getBytes(StandardCharsets.UTF_8));
            assertThat(get(metrics, basic).body()).contains("# TYPE harmony_exchange_seconds summary");
            HttpResponse<String> head = http.send(HttpRequest.newBuilder(metrics).header("Authorization", basic)
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.body()).isEmpty();
            assertThat(head.headers().firstValueAsLong("Content-Length")).isPresent();
        }
    }

    @Test
    void theStrictParserRefusesWhatPrometheusWouldRefuse() {
        assertThatThrownBy(() -> Exposition.parse("x{a=\"1\"} 1")).hasMessageContaining("line feed");
        assertThatThrownBy(() -> Exposition.parse("x{a=\"1\"} one\n")).hasMessageContaining("bad value");
        assertThatThrownBy(() -> Exposition.parse("x{a=\"1\",a=\"2\"} 1\n")).hasMessageContaining("twice");
        assertThatThrownBy(() -> Exposition.parse("x{a=\"\\t\"} 1\n")).hasMessageContaining("bad escape");
        assertThatThrownBy(() -> Exposition.parse("x 1\nx 2\n")).hasMessageContaining("duplicate");
        assertThatThrownBy(() -> Exposition.parse("x 1\ny 1\nx{a=\"b\"} 1\n")).hasMessageContaining("split");
        assertThatThrownBy(() -> Exposition.parse("x 1\n# TYPE x counter\n")).hasMessageContaining("TYPE after");
        assertThatThrownBy(() -> Exposition.parse("1x 1\n")).hasMessageContaining("bad metric name");
        assertThatThrownBy(() -> Exposition.parse("# TYPE s summary\ns 1\n")).hasMessageContaining("quantile");
        assertThat(Exposition.parse("# TYPE s summary\ns_count{a=\"q\\\"\"} 2\ns_sum{a=\"q\\\"\"} 0.5\n")
                .value("s_count", "a", "q\"")).isEqualTo(2.0);
    }

    @Test
    void secondsAreExactDecimals() {
        assertThat(PrometheusText.seconds(0)).isEqualTo("0");
        assertThat(PrometheusText.seconds(1)).isEqualTo("0.000000001");
        assertThat(PrometheusText.seconds(12_300_000)).isEqualTo("0.0123");
        assertThat(PrometheusText.seconds(3_000_000_000L)).isEqualTo("3");
        assertThat(PrometheusText.seconds(Long.MAX_VALUE)).isEqualTo("9223372036.854775807");
    }

    /** promtool (Prometheus' own tooling, Debian package prometheus) must find nothing wrong or unidiomatic. */
    private void promtoolAccepts(String exposition) throws IOException, InterruptedException {
        Path input = Files.writeString(tmp.resolve("scrape-" + System.nanoTime() + ".txt"), exposition);
        Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectInput(input.toFile())
                .redirectErrorStream(true).start();
        String report;
        try {
            assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).as("promtool finished").isTrue();
            report = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            promtool.destroyForcibly();
        }
        assertThat(promtool.exitValue()).as("promtool check metrics: " + report).isZero();
        assertThat(report).isBlank();
    }

    private static Map<Map<String, String>, Double> only(Map<Map<String, String>, Double> series, String pipeline) {
        return series.entrySet().stream().filter(s -> pipeline.equals(s.getKey().get("pipeline")))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a,
                        java.util.LinkedHashMap::new));
    }

    private static Map<String, String> labels(String pipeline, String stage, String role, String outcome,
            String rejection) {
        return stage == null
                ? Map.of("pipeline", pipeline, "outcome", outcome, "rejection", rejection)
                : Map.of("pipeline", pipeline, "stage", stage, "role", role, "outcome", outcome, "rejection", rejection);
    }

    private HttpResponse<String> get(URI uri, String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
