package dev.harmony.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.harmony.http.dashboard.Dashboard;
import dev.harmony.http.dashboard.PipelineMetrics;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.testing.DirectFrontend;
import dev.harmony.testing.RecordingBackend;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DashboardOptionTest {
    private static final Set<String> VALUED = Set.of(DashboardOption.OPTION);
    private static final Set<String> FLAGS = Set.of(DashboardOption.OFF_FLAG);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void startsNothingUnlessAsked() {
        assertThat(DashboardOption.startIfRequested(Args.parse(List.of(), VALUED, FLAGS), Map.of(), System.out)).isNull();
        assertThat(DashboardOption.startByDefault(Args.parse(List.of("--no-dashboard"), VALUED, FLAGS), 0)).isNull();
    }

    @Test
    void startsOnTheGivenAddressAndPortAndPrintsItsUrl() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Args args = Args.parse(List.of("--dashboard", "127.0.0.1:0"), VALUED, FLAGS);
        try (Dashboard d = DashboardOption.startIfRequested(args, Map.of(),
                new PrintStream(printed, true, StandardCharsets.UTF_8))) {
            assertThat(d).isNotNull();
            assertThat(printed.toString(StandardCharsets.UTF_8)).isEqualTo("dashboard: " + d.url() + System.lineSeparator()
                    + "metrics:   " + d.url() + "metrics (Prometheus text format)" + System.lineSeparator());
            assertThat(d.url().getHost()).isEqualTo("127.0.0.1");
            assertThat(status(d.url(), null)).isEqualTo(200);
        }
    }

    @Test
    void takesCredentialsFromTheEnvironment() throws Exception {
        Args args = Args.parse(List.of("--dashboard=0"), VALUED, FLAGS);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        try (Dashboard d = DashboardOption.startIfRequested(args, Map.of("HARMONY_DASHBOARD_TOKEN", "t0k"), quiet)) {
            assertThat(status(d.url().resolve("api/pipelines"), null)).isEqualTo(401);
            assertThat(status(d.url().resolve("api/pipelines"), "Bearer t0k")).isEqualTo(200);
        }
    }

    @Test
    void canShowMetricsSharedWithTheCaller() {
        PipelineMetrics shared = PipelineMetrics.create();
        try (Dashboard d = DashboardOption.startByDefault(Args.parse(List.of("--dashboard", "0"), VALUED, FLAGS), 9090,
                shared)) {
            assertThat(d.metrics()).isSameAs(shared);
            assertThat(d.port()).isNotEqualTo(9090);
        }
    }

    @Test
    void servesTheSharedFiguresToPrometheusAtMetrics() throws Exception {
        PipelineMetrics shared = PipelineMetrics.create();
        DirectFrontend in = DirectFrontend.create();
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        try (Pipeline p = Pipeline.builder().name("option-metrics").frontend(in)
                .backend(RecordingBackend.answering(Response.ok())).build();
                Dashboard d = DashboardOption.start("0", Map.of(), quiet, shared)) {
            p.addListener(shared); // as the showcase does with the figures the demo report prints
            p.start();
            in.send(in.request("GET", "/"));
            assertThat(status(d.url().resolve("metrics"), null)).isEqualTo(200); // the dashboard has seen p now
            in.send(in.request("GET", "/"));
            in.send(in.request("GET", "/"));
            // counted once each, although both the pipeline and the dashboard attach the shared figures
            HttpResponse<String> scrape = http.send(HttpRequest.newBuilder(d.url().resolve("metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            assertThat(scrape.body()).contains(
                    "harmony_exchange_seconds_count{pipeline=\"option-metrics\",outcome=\"passed\",rejection=\"none\"} 3\n",
                    "harmony_stage_seconds_count{pipeline=\"option-metrics\",stage=\"Recording Backend\",role=\"backend\","
                            + "outcome=\"passed\",rejection=\"none\"} 3\n");
        }
    }

    @Test
    void refusesABadPortNamingTheOption() {
        Args args = Args.parse(List.of("--dashboard", "http"), VALUED, FLAGS);
        assertThatThrownBy(() -> DashboardOption.startIfRequested(args, Map.of(), System.out))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--dashboard expects [ADDR:]PORT");
        Args tooBig = Args.parse(List.of("--dashboard", "99999"), VALUED, FLAGS);
        assertThatThrownBy(() -> DashboardOption.startIfRequested(tooBig, Map.of(), System.out))
                .hasMessageContaining("--dashboard");
    }

    private int status(URI uri, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
