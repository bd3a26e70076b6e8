package dev.harmony.http.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.harmony.message.Response;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.pipeline.PipelineListener.ExchangeEvent;
import dev.harmony.pipeline.PipelineListener.Outcome;
import dev.harmony.pipeline.PipelineListener.Role;
import dev.harmony.pipeline.PipelineListener.StageEvent;
import dev.harmony.pipeline.Rejection;
import dev.harmony.pipeline.Rejection.Kind;
import dev.harmony.testing.DirectFrontend;
import dev.harmony.testing.RecordingBackend;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PipelineMetricsTest {
    private final AtomicLong clock = new AtomicLong(50_000);
    private final PipelineMetrics metrics = new PipelineMetrics(clock::get);

    @Test
    void countsPassedRejectedByKindAndFailedThroughARealPipeline() {
        DirectFrontend in = DirectFrontend.create();
        try (Pipeline p = TestPipelines.guarded("metrics-real", in)) {
            p.addListener(metrics);
            p.start();
            TestPipelines.send(in, "ok", 5);
            TestPipelines.send(in, "none", 3);
            TestPipelines.send(in, "slow-down", 2);
            TestPipelines.send(in, "boom", 1);

            PipelineFigures f = metrics.snapshot(p);
            assertThat(f.pipeline()).isEqualTo("metrics-real");
            assertThat(f.exchanges().count()).isEqualTo(11);
            assertThat(f.exchanges().passed()).isEqualTo(5);
            assertThat(f.exchanges().rejected()).containsExactlyInAnyOrderEntriesOf(
                    Map.of(Kind.UNAUTHENTICATED, 3L, Kind.TOO_MANY_REQUESTS, 2L));
            assertThat(f.exchanges().failed()).isEqualTo(1);
            assertThat(f.inFlight()).isZero();
            assertThat(f.exchanges().p50Millis()).isPositive();

            assertThat(f.stages()).extracting(StageFigures::stage).containsExactly("Key Check", "Throttle", "Store");
            assertThat(f.stages()).extracting(StageFigures::role)
                    .containsExactly(Role.MIDDLEWARE, Role.MIDDLEWARE, Role.BACKEND);
            Figures keyCheck = f.stage("Key Check");
            assertThat(keyCheck.count()).isEqualTo(11);
            // it handed on everything it did not refuse itself, including what failed further on
            assertThat(keyCheck.passed()).isEqualTo(8);
            assertThat(keyCheck.rejected()).containsExactlyInAnyOrderEntriesOf(Map.of(Kind.UNAUTHENTICATED, 3L));
            Figures throttle = f.stage("Throttle");
            assertThat(throttle.count()).isEqualTo(8);
            assertThat(throttle.rejected()).containsExactlyInAnyOrderEntriesOf(Map.of(Kind.TOO_MANY_REQUESTS, 2L));
            assertThat(throttle.failed()).isEqualTo(1);
            Figures store = f.stage("Store");
            assertThat(store.count()).isEqualTo(5);
            assertThat(store.passed()).isEqualTo(5);
            assertThat(f.throughputPerSecond()).isEqualTo(11.0);
            assertThat(f.exchanges().perSecond()).isEqualTo(11.0);
            assertThat(store.perSecond()).isEqualTo(5.0);
            assertThat(keyCheck.perSecond()).isEqualTo(11.0);
        }
    }

    @Test
    void stagesThatSawNothingHaveZeroFigures() {
        try (Pipeline p = TestPipelines.guarded("metrics-idle", DirectFrontend.create())) {
            PipelineFigures f = metrics.snapshot(p);
            assertThat(f.exchanges()).isEqualTo(Figures.none());
            assertThat(f.stages()).hasSize(3).allSatisfy(s -> assertThat(s.figures()).isEqualTo(Figures.none()));
            assertThat(f.throughputPerSecond()).isZero();
        }
    }

    @Test
    void durationsAreTheStagesOwnTimeAndTheWholeExchangeTime() {
        try (Pipeline p = TestPipelines.guarded("metrics-times", DirectFrontend.create())) {
            for (int i = 0; i < 100; i++) {
                String id = "x" + i;
                metrics.exchangeStarted("metrics-times", id, null);
                long self = i < 98 ? 1_000_000 : 400_000_000;
                metrics.stageFinished(new StageEvent("metrics-times", id, "Store", Role.BACKEND, Outcome.PASSED,
                        null, null, self));
                metrics.exchangeFinished(new ExchangeEvent("metrics-times", id, null, Response.ok(), Outcome.PASSED,
                        self + 2_000_000));
            }
            PipelineFigures f = metrics.snapshot(p);
            assertThat(f.stage("Store").p50Millis()).isCloseTo(1.0, within(0.125));
            assertThat(f.stage("Store").p99Millis()).isCloseTo(400.0, within(50.0));
            assertThat(f.exchanges().p50Millis()).isCloseTo(3.0, within(0.375));
            assertThat(f.exchanges().p99Millis()).isCloseTo(402.0, within(50.25));
        }
    }

    @Test
    void countsExchangesInFlightAndThroughputOverTheRecentWindow() {
        try (Pipeline p = TestPipelines.guarded("metrics-rate", DirectFrontend.create())) {
            metrics.exchangeStarted("metrics-rate", "a", null);
            metrics.exchangeStarted("metrics-rate", "b", null);
            assertThat(metrics.snapshot(p).inFlight()).isEqualTo(2);
            metrics.exchangeFinished(new ExchangeEvent("metrics-rate", "a", null, Response.ok(), Outcome.PASSED, 1000));
            assertThat(metrics.snapshot(p).inFlight()).isEqualTo(1);
            clock.addAndGet(1000);
            metrics.exchangeFinished(new ExchangeEvent("metrics-rate", "b", null,
                    Response.rejected(Rejection.forbidden("no")), Outcome.REJECTED, 1000));
            assertThat(metrics.snapshot(p).throughputPerSecond()).isEqualTo(1.0);
            clock.addAndGet(60_000);
            assertThat(metrics.snapshot(p).throughputPerSecond()).isZero();
            assertThat(metrics.snapshot(p).exchanges().rejected()).containsExactlyInAnyOrderEntriesOf(Map.of(Kind.FORBIDDEN, 1L));
        }
    }

    @Test
    void isSafeUnderConcurrentTraffic() throws Exception {
        DirectFrontend in = DirectFrontend.create();
        try (Pipeline p = TestPipelines.guarded("metrics-threads", in)) {
            p.addListener(metrics);
            p.start();
            Thread[] threads = new Thread[4];
            for (int t = 0; t < threads.length; t++) {
                threads[t] = new Thread(() -> {
                    TestPipelines.send(in, "ok", 500);
                    TestPipelines.send(in, "none", 250);
                });
                threads[t].start();
            }
            for (Thread t : threads) {
                t.join(30_000);
            }
            PipelineFigures f = metrics.snapshot(p);
            assertThat(f.exchanges().count()).isEqualTo(3000);
            assertThat(f.exchanges().passed()).isEqualTo(2000);
            assertThat(f.exchanges().rejected()).containsExactlyInAnyOrderEntriesOf(Map.of(Kind.UNAUTHENTICATED, 1000L));
            assertThat(f.stage("Store").count()).isEqualTo(2000);
            assertThat(f.inFlight()).isZero();
        }
    }

    @Test
    void aBackendAnsweringWithoutRejectionCountsAsPassedEvenWithAnErrorStatus() {
        DirectFrontend in = DirectFrontend.create();
        try (Pipeline p = Pipeline.builder().name("metrics-404").frontend(in)
                .backend(RecordingBackend.answering(Response.of(404))).build()) {
            p.addListener(metrics);
            p.start();
            in.send(in.request("GET", "/missing"));
            assertThat(metrics.snapshot(p).exchanges().passed()).isEqualTo(1);
        }
    }
}
