package dev.harmony.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.pipeline.Rejection;
import dev.harmony.testing.DirectFrontend;
import dev.harmony.testing.RecordingBackend;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineMetersTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @TempDir
    Path tmp;

    /**
     * {@code X-Key: none} is refused by "Key Check" (401), {@code slow-down} by "Throttle" (429),
     * {@code boom} makes "Throttle" throw; anything else reaches "Store".
     */
    private static Pipeline guarded(String name, DirectFrontend in) {
        return Pipeline.builder().name(name).frontend(in)
                .use("Key Check", chain -> chain.request().headers().first("X-Key").orElse("none").equals("none")
                        ? Response.rejected(Rejection.unauthenticated("X-Key missing").withReason("invalid_token"))
                        : chain.proceed(chain.request()))
                .use("Throttle", chain -> {
                    String key = chain.request().headers().first("X-Key").orElse("");
                    if (key.equals("slow-down")) {
                        return Response.rejected(Rejection.tooManyRequests("slow down", Duration.ofSeconds(1)));
                    }
                    if (key.equals("boom")) {
                        throw new IllegalStateException("boom");
                    }
                    return chain.proceed(chain.request());
                })
                .backend(RecordingBackend.answering(Response.ok()))
                .build();
    }

    private static void send(DirectFrontend in, String key, int times) {
        for (int i = 0; i < times; i++) {
            in.send(in.request("POST", "/things/" + key + "/" + i).header("X-Key", key));
        }
    }

    @Test
    void timersCountEveryOutcomeExactlyWithBoundedTags() {
        DirectFrontend in = DirectFrontend.create();
        try (Pipeline p = guarded("mm-exact", in)) {
            PipelineMeters.on(registry).attach(p);
            p.start();
            send(in, "ok", 6);
            send(in, "none", 4);
            send(in, "slow-down", 3);
            send(in, "boom", 2);

            assertThat(exchange("mm-exact", "passed", "none").count()).isEqualTo(6);
            assertThat(exchange("mm-exact", "rejected", "unauthenticated").count()).isEqualTo(4);
            assertThat(exchange("mm-exact", "rejected", "too_many_requests").count()).isEqualTo(3);
            assertThat(exchange("mm-exact", "failed", "none").count()).isEqualTo(2);
            assertThat(exchange("mm-exact", "passed", "none").totalTime(TimeUnit.NANOSECONDS)).isPositive();

            assertThat(stage("mm-exact", "Key Check", "middleware", "passed", "none").count()).isEqualTo(11);
            assertThat(stage("mm-exact", "Key Check", "middleware", "rejected", "unauthenticated").count())
                    .isEqualTo(4);
            assertThat(stage("mm-exact", "Throttle", "middleware", "passed", "none").count()).isEqualTo(6);
            assertThat(stage("mm-exact", "Throttle", "middleware", "rejected", "too_many_requests").count())
                    .isEqualTo(3);
            assertThat(stage("mm-exact", "Throttle", "middleware", "failed", "none").count()).isEqualTo(2);
            assertThat(stage("mm-exact", "Recording Backend", "backend", "passed", "none").count()).isEqualTo(6);
            assertThat(registry.get("harmony.exchanges.in.flight").tag("pipeline", "mm-exact").gauge().value())
                    .isZero();

            // exactly these meters: the zero ones from attach plus one per outcome seen, nothing per exchange
            Set<String> meters = registry.getMeters().stream()
                    .filter(m -> "mm-exact".equals(m.getId().getTag("pipeline")))
                    .map(PipelineMetersTest::describe).collect(Collectors.toSet());
            assertThat(meters).containsExactlyInAnyOrder(
                    "harmony.exchanges.in.flight{pipeline=mm-exact}",
                    "harmony.exchange{outcome=passed,pipeline=mm-exact,rejection=none}",
                    "harmony.exchange{outcome=failed,pipeline=mm-exact,rejection=none}",
                    "harmony.exchange{outcome=rejected,pipeline=mm-exact,rejection=unauthenticated}",
                    "harmony.exchange{outcome=rejected,pipeline=mm-exact,rejection=too_many_requests}",
                    "harmony.stage{outcome=passed,pipeline=mm-exact,rejection=none,role=middleware,stage=Key Check}",
                    "harmony.stage{outcome=failed,pipeline=mm-exact,rejection=none,role=middleware,stage=Key Check}",
                    "harmony.stage{outcome=rejected,pipeline=mm-exact,rejection=unauthenticated,role=middleware,"
                            + "stage=Key Check}",
                    "harmony.stage{outcome=passed,pipeline=mm-exact,rejection=none,role=middleware,stage=Throttle}",
                    "harmony.stage{outcome=failed,pipeline=mm-exact,rejection=none,role=middleware,stage=Throttle}",
                    "harmony.stage{outcome=rejected,pipeline=mm-exact,rejection=too_many_requests,role=middleware,"
                            + "stage=Throttle}",
                    "harmony.stage{outcome=passed,pipeline=mm-exact,rejection=none,role=backend,"
                            + "stage=Recording Backend}",
                    "harmony.stage{outcome=failed,pipeline=mm-exact,rejection=none,role=backend,"
                            + "stage=Recording Backend}");
        }
    }

    @Test
    void manyDistinctExchangesAddNoMeters() {
        DirectFrontend in = DirectFrontend.create();
        try (Pipeline p = guarded("mm-bounded", in)) {
            p.addListener(PipelineMeters.on(registry)); // plain listener: meters appear with traffic
            p.start();
            send(in, "ok", 1);
            send(in, "none", 1);
            int before = registry.getMeters().size();
            for (int i = 0; i < 500; i++) {
                in.send(in.request("GET", "/patients/" + i + "?q=" + i).header("X-Key", i % 2 == 0 ? "key-" + i : "none"));
            }
            assertThat(registry.getMeters()).hasSize(before);
            // no path, header, reason, message or exchange id: only names and the fixed vocabulary
            Set<String> tagValues = registry.getMeters().stream().flatMap(m -> m.getId().getTags().stream())
                    .map(Tag::getValue).collect(Collectors.toSet());
            assertThat(tagValues).containsExactlyInAnyOrder("mm-bounded", "Key Check", "Throttle", "Recording Backend",
                    "middleware", "backend", "passed", "rejected", "none", "unauthenticated");
            assertThat(exchange("mm-bounded", "passed", "none").count()).isEqualTo(251);
            assertThat(exchange("mm-bounded", "rejected", "unauthenticated").count()).isEqualTo(251);
        }
    }

    @Test
    void inFlightCountsExchangesBetweenStartAndFinish() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        DirectFrontend in = DirectFrontend.create();
        try (Pipeline p = Pipeline.builder().name("mm-inflight").frontend(in)
                .backend(RecordingBackend.answering((Request r) -> {
                    entered.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return Response.ok();
                })).build()) {
            PipelineMeters.on(registry).attach(p);
            p.start();
            CompletableFuture<Response> pending = CompletableFuture.supplyAsync(() -> in.send(in.request("GET", "/")));
            assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(registry.get("harmony.exchanges.in.flight").tag("pipeline", "mm-inflight").gauge().value())
                    .isEqualTo(1.0);
            release.countDown();
            assertThat(pending.get(30, TimeUnit.SECONDS).rejection()).isEmpty();
            assertThat(registry.get("harmony.exchanges.in.flight").tag("pipeline", "mm-inflight").gauge().value())
                    .isZero();
            assertThat(exchange("mm-inflight", "passed", "none").count()).isEqualTo(1);
        }
    }

    @Test
    void asynchronousExchangesAreCountedAsWell() throws Exception {
        DirectFrontend in = DirectFrontend.create();
        try (Pipeline p = guarded("mm-async", in)) {
            PipelineMeters.on(registry).attach(p);
            p.start();
            List<CompletableFuture<Response>> all = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String key = i % 4 == 0 ? "none" : "ok";
                all.add(p.handleAsync(in.request("GET", "/").header("X-Key", key).build(), Runnable::run)
                        .toCompletableFuture());
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            assertThat(exchange("mm-async", "passed", "none").count()).isEqualTo(15);
            assertThat(exchange("mm-async", "rejected", "unauthenticated").count()).isEqualTo(5);
            assertThat(stage("mm-async", "Key Check", "middleware", "passed", "none").count()).isEqualTo(15);
        }
    }

    @Test
    void aPrometheusRegistryScrapesTheSeriesTheDashboardServesAndPromtoolAcceptsThem() throws Exception {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        DirectFrontend in = DirectFrontend.create();
        try (Pipeline p = guarded("mm-prom", in)) {
            PipelineMeters.on(prometheus).attach(p);
            p.start();
            send(in, "ok", 3);
            send(in, "slow-down", 2);
            String scrape = prometheus.scrape();
            assertThat(scrape).contains("# TYPE harmony_exchange_seconds summary",
                    "harmony_exchange_seconds_count{outcome=\"passed\",pipeline=\"mm-prom\",rejection=\"none\"} 3",
                    "harmony_exchange_seconds_count{outcome=\"rejected\",pipeline=\"mm-prom\","
                            + "rejection=\"too_many_requests\"} 2",
                    "harmony_stage_seconds_count{outcome=\"passed\",pipeline=\"mm-prom\",rejection=\"none\","
                            + "role=\"middleware\",stage=\"Key Check\"} 5",
                    "# TYPE harmony_exchanges_in_flight gauge",
                    "harmony_exchanges_in_flight{pipeline=\"mm-prom\"} 0");
            Path file = Files.writeString(tmp.resolve("scrape.txt"), scrape);
            Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectInput(file.toFile())
                    .redirectErrorStream(true).start();
            try {
                assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).isTrue();
                String report = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(promtool.exitValue()).as(report).isZero();
            } finally {
                promtool.destroyForcibly();
            }
        } finally {
            prometheus.close();
        }
    }

    @Test
    void theReadmesFilterTurnsOnHistograms() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        prometheus.config().meterFilter(new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig c) {
                return id.getName().startsWith("harmony.")
                        ? DistributionStatisticConfig.builder().percentilesHistogram(true).build().merge(c) : c;
            }
        });
        DirectFrontend in = DirectFrontend.create();
        try (Pipeline p = guarded("mm-histogram", in)) {
            PipelineMeters.on(prometheus).attach(p);
            p.start();
            send(in, "ok", 4);
            assertThat(prometheus.scrape()).contains("# TYPE harmony_exchange_seconds histogram",
                    "harmony_exchange_seconds_bucket{outcome=\"passed\",pipeline=\"mm-histogram\",rejection=\"none\","
                            + "le=\"+Inf\"} 4");
        } finally {
            prometheus.close();
        }
    }

    private Timer exchange(String pipeline, String outcome, String rejection) {
        return registry.get("harmony.exchange")
                .tags("pipeline", pipeline, "outcome", outcome, "rejection", rejection).timer();
    }

    private Timer stage(String pipeline, String stage, String role, String outcome, String rejection) {
        return registry.get("harmony.stage").tags("pipeline", pipeline, "stage", stage, "role", role,
                "outcome", outcome, "rejection", rejection).timer();
    }

    private static String describe(Meter m) {
        return m.getId().getName() + m.getId().getTags().stream().map(t -> t.getKey() + "=" + t.getValue())
                .collect(Collectors.joining(",", "{", "}"));
    }
}
