package dev.harmony.http.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.harmony.micrometer.PipelineMeters;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.testing.DirectFrontend;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's own {@code /metrics} and the harmony-micrometer binding in a Prometheus registry see the
 * same traffic and must export the same series with the same values, so queries and alerts work on either.
 */
class DashboardMatchesMicrometerTest {

    @Test
    void sameSeriesSameCountsSameSums() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        DirectFrontend in = DirectFrontend.create();
        try (Pipeline p = TestPipelines.guarded("prom-both", in);
                Dashboard d = Dashboard.on(0).pipelines(() -> List.of(p)).start()) {
            PipelineMeters.on(registry).attach(p);
            p.start();
            TestPipelines.send(in, "ok", 9);
            TestPipelines.send(in, "none", 2);
            TestPipelines.send(in, "slow-down", 5);
            TestPipelines.send(in, "boom", 3);

            HttpResponse<String> scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    d.url().resolve("metrics")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            Exposition ours = Exposition.parse(scrape.body());
            Exposition micrometer = Exposition.parse(registry.scrape()); // the strict reader accepts it too

            assertThat(micrometer.types).containsEntry("harmony_exchange_seconds", "summary")
                    .containsEntry("harmony_stage_seconds", "summary")
                    .containsEntry("harmony_exchanges_in_flight", "gauge");
            for (String series : List.of("harmony_exchange_seconds_count", "harmony_stage_seconds_count",
                    "harmony_exchanges_in_flight")) {
                assertThat(of(ours, series)).as(series).isNotEmpty().isEqualTo(of(micrometer, series));
            }
            assertThat(of(ours, "harmony_exchange_seconds_count")).containsEntry(
                    Map.of("pipeline", "prom-both", "outcome", "rejected", "rejection", "too_many_requests"), 5.0);
            for (String sums : List.of("harmony_exchange_seconds_sum", "harmony_stage_seconds_sum")) {
                Map<Map<String, String>, Double> expected = of(micrometer, sums);
                assertThat(of(ours, sums).keySet()).as(sums).isEqualTo(expected.keySet());
                // the same nanoseconds from the same events: exact decimals against Micrometer's doubles
                of(ours, sums).forEach((labels, v) -> assertThat(v).as(sums + labels)
                        .isCloseTo(expected.get(labels), within(1e-9)));
            }
        } finally {
            registry.close();
        }
    }

    private static Map<Map<String, String>, Double> of(Exposition e, String name) {
        return e.series(name).entrySet().stream().filter(s -> "prom-both".equals(s.getKey().get("pipeline")))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }
}
