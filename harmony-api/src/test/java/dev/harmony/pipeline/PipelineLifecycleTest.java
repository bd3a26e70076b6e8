package dev.harmony.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.harmony.message.Protocol;
import dev.harmony.message.Response;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineLifecycleTest {

    /** A frontend that records lifecycle calls and can be told to fail on start. */
    private static final class RecordingFrontend implements Frontend {
        private final List<String> log;
        private final boolean fail;
        private Handler handler;

        RecordingFrontend(List<String> log, boolean fail) {
            this.log = log;
            this.fail = fail;
        }

        @Override
        public Protocol protocol() {
            return Protocol.MEMORY;
        }

        @Override
        public void start(Handler h) throws Exception {
            log.add("start frontend");
            if (fail) {
                throw new java.net.BindException("Address already in use");
            }
            this.handler = h;
        }

        @Override
        public void stop() {
            log.add("stop frontend");
            handler = null;
        }

        @Override
        public Description describe() {
            return new Description("Test Listener", "Port 1");
        }
    }

    private static Backend backend(List<String> log) {
        TestBackend inner = TestBackend.answering(Response.ok());
        return new Backend() {
            @Override
            public Response handle(dev.harmony.message.Request request) {
                return inner.handle(request);
            }

            @Override
            public void start() {
                log.add("start backend");
            }

            @Override
            public void stop() {
                log.add("stop backend");
            }
        };
    }

    @Test
    void startsBackToFrontAndStopsFrontToBack() {
        List<String> log = new ArrayList<>();
        Pipeline p = Pipeline.builder().name("life").frontend(new RecordingFrontend(log, false))
                .use(Stages.lifecycle("m1", log)).use(Stages.lifecycle("m2", log)).backend(backend(log)).build();
        p.start();
        assertThat(p.isRunning()).isTrue();
        assertThat(Pipeline.running()).contains(p);
        p.stop();
        assertThat(log).containsExactly("start backend", "start m2", "start m1", "start frontend",
                "stop frontend", "stop m1", "stop m2", "stop backend");
        assertThat(Pipeline.running()).doesNotContain(p);
    }

    @Test
    void startStopAndCloseAreIdempotent() {
        List<String> log = new ArrayList<>();
        Pipeline p = Pipeline.builder().name("idem").frontend(new RecordingFrontend(log, false))
                .backend(backend(log)).build();
        p.start();
        p.start();
        p.stop();
        p.stop();
        p.close();
        p.close();
        assertThat(log).containsExactly("start backend", "start frontend", "stop frontend", "stop backend");
        assertThatThrownBy(p::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void stoppedPipelineCanBeStartedAgain() {
        List<String> log = new ArrayList<>();
        Pipeline p = Pipeline.builder().name("again").frontend(new RecordingFrontend(log, false))
                .backend(backend(log)).build();
        p.start();
        p.stop();
        p.start();
        assertThat(p.isRunning()).isTrue();
        p.close();
        assertThat(log).containsExactly("start backend", "start frontend", "stop frontend", "stop backend",
                "start backend", "start frontend", "stop frontend", "stop backend");
    }

    @Test
    void failedFrontendStartReleasesEverythingAndNamesTheStage() {
        List<String> log = new ArrayList<>();
        Pipeline p = Pipeline.builder().name("busy").frontend(new RecordingFrontend(log, true))
                .use(Stages.lifecycle("m1", log)).backend(backend(log)).build();
        assertThatThrownBy(p::start)
                .isInstanceOf(PipelineException.class)
                .hasMessage("pipeline 'busy': frontend 'Test Listener' failed to start: Address already in use");
        assertThat(log).containsExactly("start backend", "start m1", "start frontend", "stop m1", "stop backend");
        assertThat(p.isRunning()).isFalse();
        assertThat(Pipeline.running()).doesNotContain(p);
    }

    @Test
    void failedMiddlewareStartStopsOnlyWhatStarted() {
        List<String> log = new ArrayList<>();
        Pipeline p = Pipeline.builder().name("mw").frontend(new RecordingFrontend(log, false))
                .use(Stages.lifecycle("m1", log)).use(Stages.failingOnStart("m2", log))
                .use(Stages.lifecycle("m3", log)).backend(backend(log)).build();
        assertThatThrownBy(p::start).hasMessageContaining("middleware #2 'm2' failed to start: port in use");
        assertThat(log).containsExactly("start backend", "start m3", "start m2", "stop m3", "stop backend");
    }
}
