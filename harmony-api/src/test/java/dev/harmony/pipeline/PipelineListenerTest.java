package dev.harmony.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.message.Response;
import dev.harmony.pipeline.PipelineListener.Outcome;
import dev.harmony.pipeline.PipelineListener.Role;
import dev.harmony.pipeline.PipelineListener.StageEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class PipelineListenerTest {
    private final TestFrontend in = TestFrontend.create();
    private final List<String> exchanges = new CopyOnWriteArrayList<>();
    private final List<StageEvent> stages = new CopyOnWriteArrayList<>();
    private final PipelineListener listener = new PipelineListener() {
        @Override
        public void exchangeStarted(String pipeline, String exchangeId, dev.harmony.message.Request request) {
            exchanges.add("started " + pipeline + " " + request.operation());
        }

        @Override
        public void stageFinished(StageEvent event) {
            stages.add(event);
        }

        @Override
        public void exchangeFinished(ExchangeEvent event) {
            exchanges.add("finished " + event.response().status() + " " + event.outcome());
        }
    };

    private Pipeline pipeline() {
        Middleware guard = chain -> chain.request().path().equals("/deny")
                ? Response.rejected(Rejection.forbidden("denied"))
                : chain.proceed(chain.request());
        Middleware boom = chain -> {
            if (chain.request().path().equals("/boom")) {
                throw new IllegalStateException("boom");
            }
            return chain.proceed(chain.request());
        };
        return Pipeline.builder().name("observed").frontend(in).use("guard", guard).use("boom", boom)
                .backend(TestBackend.answering(Response.ok())).listener(listener).build();
    }

    @Test
    void passedExchangeReportsEveryStageInOrder() {
        try (Pipeline p = pipeline()) {
            p.start();
            in.send(in.request("GET", "/ok"));
        }
        assertThat(exchanges).containsExactly("started observed GET", "finished 200 PASSED");
        // stage events arrive innermost first: a stage finishes after everything behind it
        assertThat(stages).extracting(StageEvent::stage).containsExactly("Recording Backend", "boom", "guard");
        assertThat(stages).extracting(StageEvent::outcome).containsOnly(Outcome.PASSED);
        assertThat(stages).extracting(StageEvent::role).containsExactly(Role.BACKEND, Role.MIDDLEWARE, Role.MIDDLEWARE);
        assertThat(stages).allSatisfy(e -> {
            assertThat(e.selfNanos()).isNotNegative();
            assertThat(e.pipeline()).isEqualTo("observed");
            assertThat(e.exchangeId()).isEqualTo(stages.get(0).exchangeId());
        });
    }

    @Test
    void rejectionIsAttributedToTheRejectingStageOnly() {
        try (Pipeline p = pipeline()) {
            p.start();
            in.send(in.request("GET", "/deny"));
        }
        assertThat(stages).hasSize(1);
        assertThat(stages.get(0).stage()).isEqualTo("guard");
        assertThat(stages.get(0).outcome()).isEqualTo(Outcome.REJECTED);
        assertThat(stages.get(0).rejection().kind()).isEqualTo(Rejection.Kind.FORBIDDEN);
        assertThat(exchanges).containsExactly("started observed GET", "finished 403 REJECTED");
    }

    @Test
    void failureIsAttributedToTheFailingStageAndUpstreamStagesPassIt() {
        try (Pipeline p = pipeline()) {
            p.start();
            in.send(in.request("GET", "/boom"));
        }
        assertThat(stages).extracting(StageEvent::stage, StageEvent::outcome)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("boom", Outcome.FAILED),
                        org.assertj.core.groups.Tuple.tuple("guard", Outcome.PASSED));
        assertThat(stages.get(0).rejection().kind()).isEqualTo(Rejection.Kind.INTERNAL);
    }

    @Test
    void aThrowingListenerDoesNotBreakTheExchange() {
        PipelineListener broken = new PipelineListener() {
            @Override
            public void stageFinished(StageEvent event) {
                throw new IllegalStateException("listener bug");
            }
        };
        try (Pipeline p = Pipeline.builder().name("broken-listener").frontend(in)
                .backend(TestBackend.answering(Response.ok())).listener(broken).build()) {
            p.start();
            assertThat(in.send(in.request("GET", "/")).status()).isEqualTo(200);
        }
    }

    @Test
    void listenersCanBeAttachedToARunningPipeline() {
        try (Pipeline p = Pipeline.builder().name("late").frontend(in)
                .backend(TestBackend.answering(Response.ok())).build()) {
            p.start();
            in.send(in.request("GET", "/"));
            p.addListener(listener);
            in.send(in.request("GET", "/"));
            p.removeListener(listener);
            in.send(in.request("GET", "/"));
        }
        assertThat(exchanges).containsExactly("started late GET", "finished 200 PASSED");
    }
}
