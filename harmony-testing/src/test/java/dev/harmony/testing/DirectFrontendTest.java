package dev.harmony.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.harmony.message.Body;
import dev.harmony.message.Response;
import dev.harmony.pipeline.AsyncMiddleware;
import dev.harmony.pipeline.Pipeline;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DirectFrontendTest {
    private final DirectFrontend in = DirectFrontend.create();
    private final RecordingBackend out = RecordingBackend.answering(Response.ok(Body.ofText("done", "text/plain")));

    @Test
    void sendingToAStoppedPipelineFailsClearly() {
        try (Pipeline p = Pipeline.builder().name("stopped").frontend(in).backend(out).build()) {
            assertThatThrownBy(() -> in.send(in.request("GET", "/"))).hasMessageContaining("not running");
            assertThatThrownBy(() -> in.sendAsync(in.request("GET", "/").build(), Runnable::run))
                    .hasMessageContaining("not running");
            assertThat(p.isRunning()).isFalse();
        }
    }

    @Test
    void sendsBlockingAndAsLikeAnEventLoopAndTheBackendRecordsWhatItGot() throws Exception {
        AsyncMiddleware tag = chain -> chain.proceed(chain.request()).thenApply(r -> r.withHeader("X-Tag", "t"));
        try (Pipeline p = Pipeline.builder().name("direct").frontend(in).use(tag).backend(out).build()) {
            p.start();
            Response blocking = in.send(in.request("POST", "/a").body(Body.ofText("one", "text/plain")));
            Response async = in.sendAsync(in.request("GET", "/b").build(), Runnable::run).toCompletableFuture()
                    .get(5, TimeUnit.SECONDS);

            assertThat(blocking.body().text()).isEqualTo("done");
            assertThat(async.headers().first("X-Tag")).contains("t");
            assertThat(out.count()).isEqualTo(2);
            assertThat(out.received().get(0).bodyText()).isEqualTo("one");
            assertThat(out.last().request().path()).isEqualTo("/b");
        }
    }
}
