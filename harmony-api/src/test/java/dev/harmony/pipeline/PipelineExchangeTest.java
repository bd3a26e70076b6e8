package dev.harmony.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.message.Attribute;
import dev.harmony.message.Body;
import dev.harmony.message.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineExchangeTest {
    private final TestFrontend in = TestFrontend.create();
    private final TestBackend out = TestBackend.answering(Response.ok(Body.ofText("done", "text/plain")));

    @Test
    void middlewareRunsInOrderAndSeesEarlierChanges() {
        List<String> log = new ArrayList<>();
        try (Pipeline p = Pipeline.builder().name("order").frontend(in)
                .use(Stages.trail("a", log)).use(Stages.trail("b", log)).use(Stages.trail("c", log))
                .backend(out).build()) {
            p.start();
            Response r = in.send(in.request("POST", "/x").body(Body.ofText("hi", "text/plain")));

            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().text()).isEqualTo("done");
            assertThat(log).containsExactly("a", "b", "c");
            assertThat(out.last().headers().first("X-Trail")).contains("a,b,c");
            assertThat(out.last().body().text()).isEqualTo("hi");
        }
    }

    @Test
    void rejectionShortCircuitsTheRest() {
        List<String> log = new ArrayList<>();
        Middleware guard = chain -> chain.request().headers().contains("X-Key")
                ? chain.proceed(chain.request())
                : Response.rejected(Rejection.tooManyRequests("slow down", Duration.ofSeconds(7))
                        .withHeader("RateLimit-Limit", "100"));
        try (Pipeline p = Pipeline.builder().name("guarded").frontend(in)
                .use("guard", guard).use(Stages.trail("after", log)).backend(out).build()) {
            p.start();
            Response r = in.send(in.request("GET", "/"));

            assertThat(r.status()).isEqualTo(429);
            assertThat(r.headers().first("RateLimit-Limit")).contains("100");
            assertThat(r.rejection()).hasValueSatisfying(rej -> {
                assertThat(rej.kind()).isEqualTo(Rejection.Kind.TOO_MANY_REQUESTS);
                assertThat(rej.retryAfter()).contains(Duration.ofSeconds(7));
            });
            assertThat(log).isEmpty();
            assertThat(out.count()).isZero();

            assertThat(in.send(in.request("GET", "/").header("X-Key", "k")).status()).isEqualTo(200);
            assertThat(log).containsExactly("after");
        }
    }

    @Test
    void thrownRejectionExceptionBecomesThatRejection() {
        Middleware strict = chain -> {
            throw Rejection.forbidden("no entry").withReason("insufficient_scope").toException();
        };
        try (Pipeline p = Pipeline.builder().name("strict").frontend(in).use("strict", strict).backend(out).build()) {
            p.start();
            Response r = in.send(in.request("GET", "/"));
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.rejection().orElseThrow().reason()).contains("insufficient_scope");
        }
    }

    @Test
    void unexpectedExceptionBecomesInternalErrorWithCorrelationIdAndPipelineKeepsServing() {
        int[] calls = {0};
        Backend flaky = request -> {
            if (calls[0]++ == 0) {
                throw new IllegalStateException("disk on fire: /secret/path");
            }
            return Response.ok();
        };
        try (Pipeline p = Pipeline.builder().name("flaky").frontend(in).backend(flaky).build()) {
            p.start();
            Response failed = in.send(in.request("GET", "/").attribute(Attribute.EXCHANGE_ID, "abc123"));

            assertThat(failed.status()).isEqualTo(500);
            Rejection rej = failed.rejection().orElseThrow();
            assertThat(rej.kind()).isEqualTo(Rejection.Kind.INTERNAL);
            assertThat(rej.message()).contains("correlation id abc123").doesNotContain("secret");
            assertThat(rej.reason()).contains("abc123");

            assertThat(in.send(in.request("GET", "/")).status()).isEqualTo(200);
        }
    }

    @Test
    void aRejectionWrappedInOtherExceptionsIsStillThatRejection() {
        Backend wrapping = request -> {
            throw new java.io.UncheckedIOException(new java.io.IOException("upload failed",
                    Rejection.payloadTooLarge("body exceeds the limit").toException()));
        };
        try (Pipeline p = Pipeline.builder().name("wrapped").frontend(in).backend(wrapping).build()) {
            p.start();
            assertThat(in.send(in.request("POST", "/")).status()).isEqualTo(413);
        }
    }

    @Test
    void aCauseCycleDoesNotHangTheExchange() {
        Backend cyclic = request -> {
            IllegalStateException a = new IllegalStateException("a");
            IllegalStateException b = new IllegalStateException("b", a);
            a.initCause(b);
            throw a;
        };
        try (Pipeline p = Pipeline.builder().name("cyclic").frontend(in).backend(cyclic).build()) {
            p.start();
            assertThat(in.send(in.request("GET", "/")).status()).isEqualTo(500);
        }
    }

    @Test
    void nullResponseIsAnInternalError() {
        try (Pipeline p = Pipeline.builder().name("null").frontend(in).backend(request -> null).build()) {
            p.start();
            assertThat(in.send(in.request("GET", "/")).status()).isEqualTo(500);
        }
    }

    @Test
    void oversizedBodyDeepInAStageBecomesPayloadTooLarge() {
        Middleware parse = chain -> {
            chain.request().body().json();
            return chain.proceed(chain.request());
        };
        try (Pipeline p = Pipeline.builder().name("limits").frontend(in).use("parse", parse).backend(out).build()) {
            p.start();
            byte[] json = ("[" + "1,".repeat(100) + "1]").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            Body big = Body.ofStream(new java.io.ByteArrayInputStream(json), -1, "application/json").withLimit(50);
            Response r = in.send(in.request("POST", "/").body(big));
            assertThat(r.status()).isEqualTo(413);
        }
    }

    @Test
    void everyRequestGetsAnExchangeIdThatMiddlewareAndBackendSee() {
        try (Pipeline p = Pipeline.builder().name("ids").frontend(in).backend(out).build()) {
            p.start();
            in.send(in.request("GET", "/"));
            assertThat(out.last().attribute(Attribute.EXCHANGE_ID)).hasValueSatisfying(
                    id -> assertThat(id).matches("[0-9a-f]{12}"));
        }
    }
}
