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

    private static Args args(String... argv) {
        return Args.parse(List.of(argv), VALUED, FLAGS);
    }

    @Test
    void startsNothingUnlessAsked() {
        assertThat(DashboardOption.requested(args())).isNull();
        assertThat(DashboardOption.byDefault(args("--no-dashboard"), 0)).isNull();
        assertThat(DashboardOption.byDefault(args(), 9090)).isEqualTo(new DashboardOption.Spec(null, 9090));
    }

    @Test
    void startsOnTheGivenAddressAndPortAndPrintsItsUrl() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        DashboardOption.Spec spec = DashboardOption.requested(args("--dashboard", "127.0.0.1:0"));
        try (Dashboard d = spec.start(Map.of(), new PrintStream(printed, true, StandardCharsets.UTF_8), null)) {
            assertThat(printed.toString(StandardCharsets.UTF_8)).isEqualTo("dashboard: " + d.url() + System.lineSeparator()
                    + "metrics:   " + d.url() + "metrics (Prometheus text format)" + System.lineSeparator());
            assertThat(d.url().getHost()).isEqualTo("127.0.0.1");
            assertThat(status(d.url(), null)).isEqualTo(200);
        }
    }

    @Test
    void takesCredentialsFromTheEnvironment() throws Exception {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        DashboardOption.Spec spec = DashboardOption.requested(args("--dashboard=0"));
        try (Dashboard d = spec.start(Map.of("HARMONY_DASHBOARD_TOKEN", "t0k"), quiet, null)) {
            assertThat(status(d.url().resolve("api/pipelines"), null)).isEqualTo(401);
            assertThat(status(d.url().resolve("api/pipelines"), "Bearer t0k")).isEqualTo(200);
        }
    }

    @Test
    void canShowMetricsSharedWithTheCaller() {
        PipelineMetrics shared = PipelineMetrics.create();
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        try (Dashboard d = DashboardOption.byDefault(args("--dashboard", "0"), 9090).start(Map.of(), quiet, shared)) {
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
                Dashboard d = DashboardOption.parse("0").start(Map.of(), quiet, shared)) {
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
    void refusesABadSpecNamingTheOptionBeforeStartingAnything() {
        for (String bad : List.of("http", "localhost:abc", "99999", "127.0.0.1:-1", ":9090", "")) {
            assertThatThrownBy(() -> DashboardOption.requested(args("--dashboard=" + bad))).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("--dashboard");
        }
        assertThatThrownBy(() -> DashboardOption.requested(args("--dashboard", "localhost:abc")))
                .hasMessage("option --dashboard expects [ADDR:]PORT with PORT 0..65535, got 'localhost:abc'");
        assertThatThrownBy(() -> DashboardOption.requested(args("--dashboard", "no-such-host.invalid:9090")))
                .hasMessage("option --dashboard: unknown address 'no-such-host.invalid'");
    }

    @Test
    void refusesADashboardThatIsAlsoSwitchedOff() {
        assertThatThrownBy(() -> DashboardOption.byDefault(args("--dashboard", "9091", "--no-dashboard"), 9090))
                .hasMessage("options --dashboard and --no-dashboard cannot be given together");
        assertThatThrownBy(() -> DashboardOption.requested(args("--no-dashboard", "--dashboard", "9091")))
                .hasMessage("options --dashboard and --no-dashboard cannot be given together");
    }

    private int status(URI uri, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
