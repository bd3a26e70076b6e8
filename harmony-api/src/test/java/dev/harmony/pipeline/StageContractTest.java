package dev.harmony.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import dev.harmony.message.Body;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.PipelineListener.ExchangeEvent;
import dev.harmony.pipeline.PipelineListener.Outcome;
import dev.harmony.pipeline.PipelineListener.StageEvent;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The one stage contract: overloads, bridging, misuse, outcomes, names. */
class StageContractTest {
    private final TestFrontend in = TestFrontend.create();
    private final ExecutorService workers = Executors.newFixedThreadPool(2, r -> new Thread(r, "worker"));
    private final AtomicInteger hops = new AtomicInteger();
    private final List<StageEvent> stages = new CopyOnWriteArrayList<>();
    private final List<ExchangeEvent> exchanges = new CopyOnWriteArrayList<>();
    private final PipelineListener listener = new PipelineListener() {
        @Override
        public void stageFinished(StageEvent event) {
            stages.add(event);
        }

        @Override
        public void exchangeFinished(ExchangeEvent event) {
            exchanges.add(event);
        }
    };

    @AfterEach
    void shutDown() {
        workers.shutdownNow();
    }

    private void worker(Runnable task) {
        hops.incrementAndGet();
        workers.execute(task);
    }

    private static Response await(CompletionStage<Response> answer) throws Exception {
        return answer.toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void anImplicitLambdaIsABlockingStageAndATypedOneIsAsync() throws Exception {
        List<String> threads = new CopyOnWriteArrayList<>();
        AsyncMiddleware tag = chain -> chain.proceed(chain.request()).thenApply(r -> r.withHeader("X-Tag", "a"));
        try (Pipeline p = Pipeline.builder().name("overloads").frontend(in)
                .use(tag)
                .use(chain -> {
                    threads.add(Thread.currentThread().getName());
                    return chain.proceed(chain.request().withHeader("X-Seen", "yes"));
                })
                .backend(request -> {
                    threads.add(Thread.currentThread().getName());
                    return Response.ok(Body.ofText(request.headers().first("X-Seen").orElse("-"), "text/plain"));
                })
                .listener(listener).build()) {
            p.start();
            Response r = await(in.sendAsync(in.request("GET", "/").build(), this::worker));

            assertThat(r.body().text()).isEqualTo("yes");
            assertThat(r.headers().first("X-Tag")).contains("a");
            // the first blocking stage moved the exchange to a worker, once; the blocking backend stayed there
            assertThat(hops).hasValue(1);
            assertThat(threads).containsExactly("worker", "worker");
            assertThat(stages).extracting(StageEvent::stage).containsExactly("backend", "middleware 2", "middleware 1");
        }
    }

    @Test
    void blockingStagesAfterTheFirstRunOnItsWorkerWithoutAnotherHop() throws Exception {
        List<String> threads = new CopyOnWriteArrayList<>();
        Middleware one = chain -> {
            threads.add(Thread.currentThread().getName());
            return chain.proceed(chain.request());
        };
        AsyncMiddleware between = chain -> chain.proceed(chain.request());
        Middleware two = chain -> {
            threads.add(Thread.currentThread().getName());
            return chain.proceed(chain.request());
        };
        Backend store = request -> {
            threads.add(Thread.currentThread().getName());
            return Response.of(201);
        };
        try (Pipeline p = Pipeline.builder().name("one-hop").frontend(in).use("one", one).use("between", between)
                .use("two", two).backend(store).build()) {
            p.start();
            assertThat(await(in.sendAsync(in.request("GET", "/").build(), this::worker)).status()).isEqualTo(201);
            assertThat(hops).hasValue(1);
            assertThat(threads).hasSize(3).containsOnly(threads.get(0));
            assertThat(threads.get(0)).isEqualTo("worker");

            threads.clear();
            assertThat(in.send(in.request("GET", "/")).status()).isEqualTo(201); // blocking caller: all inline
            assertThat(threads).containsOnly(Thread.currentThread().getName());
            assertThat(hops).hasValue(1);
        }
    }

    @Test
    void anAsyncMiddlewareWaitingOnItsChainFailsFastNamingItInsteadOfHanging() throws Exception {
        CompletableFuture<Response> later = new CompletableFuture<>();
        AsyncMiddleware waits = chain -> {
            Response r = chain.proceed(chain.request()).toCompletableFuture().join(); // the mistake
            return CompletableFuture.completedFuture(r);
        };
        AsyncMiddleware waitsOnADerivedFuture = chain -> {
            Response r = chain.proceed(chain.request()).thenApply(x -> x).toCompletableFuture()
                    .get(1, TimeUnit.MINUTES);
            return CompletableFuture.completedFuture(r);
        };
        for (AsyncMiddleware misdeclared : List.of(waits, waitsOnADerivedFuture)) {
            stages.clear();
            exchanges.clear();
            try (Pipeline p = Pipeline.builder().name("waits").frontend(in).use("joiner", misdeclared)
                    .backend((AsyncBackend) request -> later).listener(listener).build()) {
                p.start();
                Response r = await(in.sendAsync(in.request("GET", "/").build(), this::worker));

                assertThat(r.rejection()).hasValueSatisfying(rej -> {
                    assertThat(rej.kind()).isEqualTo(Rejection.Kind.INTERNAL);
                    assertThat(rej.message()).contains("stage 'joiner'");
                });
                StageEvent joiner = stages.stream().filter(e -> e.stage().equals("joiner")).findFirst().orElseThrow();
                assertThat(joiner.outcome()).isEqualTo(Outcome.FAILED);
                assertThat(joiner.failure()).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("AsyncMiddleware 'joiner' waited on its chain")
                        .hasMessageContaining("thenApply/thenCompose or make it a Middleware");
                assertThat(exchanges).singleElement().extracting(ExchangeEvent::outcome).isEqualTo(Outcome.FAILED);
            }
        }
        later.complete(Response.ok());
    }

    @Test
    void waitingOnACompletedChainOrOnABlockingCallersThreadIsAllowed() {
        AsyncMiddleware waits = chain -> CompletableFuture.completedFuture(
                chain.proceed(chain.request()).toCompletableFuture().join().withHeader("X-Waited", "yes"));
        try (Pipeline p = Pipeline.builder().name("waits-ok").frontend(in).use(waits)
                .backend((AsyncBackend) request -> CompletableFuture.supplyAsync(Response::ok, workers)).build()) {
            p.start();
            assertThat(in.send(in.request("GET", "/")).headers().first("X-Waited")).contains("yes");
        }
    }

    @Test
    void aStageImplementingBothFormsFailsAtBuildNamingIt() {
        final class Both implements Middleware, AsyncMiddleware {
            @Override
            public Response intercept(Chain chain) {
                return chain.proceed(chain.request());
            }

            @Override
            public CompletionStage<Response> intercept(AsyncChain chain) {
                return chain.proceed(chain.request());
            }
        }
        final class BothBackends implements Backend, AsyncBackend {
            @Override
            public Response handle(Request request) {
                return Response.ok();
            }

            @Override
            public CompletionStage<Response> handleAsync(Request request) {
                return CompletableFuture.completedFuture(Response.ok());
            }
        }
        assertThatThrownBy(() -> Pipeline.builder().name("both").frontend(in).use("confused", (MiddlewareStage) new Both())
                .backend((BackendStage) new BothBackends()).build())
                .isInstanceOf(PipelineException.class)
                .hasMessageContaining("middleware #1 'confused' implements both Middleware and AsyncMiddleware")
                .hasMessageContaining("backend 'BothBackends' implements both Backend and AsyncBackend");
    }

    @Test
    void unnamedLambdasGetNamesByPositionButLabelledStagesMustNotCollide() {
        Pipeline p = Pipeline.builder().name("names").frontend(in)
                .use(chain -> chain.proceed(chain.request()))
                .use(chain -> chain.proceed(chain.request()))
                .backend(request -> Response.ok()).build();
        assertThat(p.diagram().middleware()).extracting(n -> n.id()).containsExactly("middleware 1", "middleware 2");
        assertThat(p.diagram().backend().id()).isEqualTo("backend");

        assertThatThrownBy(() -> Pipeline.builder().name("clash").frontend(in)
                .use(Stages.trail("Audit", new CopyOnWriteArrayList<>()))
                .use(Stages.trail("Audit", new CopyOnWriteArrayList<>()))
                .use("middleware 4", chain -> chain.proceed(chain.request()))
                .use(chain -> chain.proceed(chain.request()))
                .backend(request -> Response.ok()).build())
                .isInstanceOf(PipelineException.class)
                .hasMessageContaining("duplicate stage name 'Audit'")
                .hasMessageContaining("duplicate stage name 'middleware 4'");
    }

    @Test
    void aRejectionHandedBackWithAHeaderAddedIsTheDownstreamStagesNotTheMiddlewares() {
        Middleware addsHeaders = chain -> chain.proceed(chain.request()).withHeader("RateLimit-Remaining", "9");
        Middleware replaces = chain -> {
            Response r = chain.proceed(chain.request());
            return r.rejection().isPresent() ? Response.rejected(Rejection.unavailable("try later")) : r;
        };
        Backend refuses = request -> Response.rejected(Rejection.forbidden("no"));
        try (Pipeline p = Pipeline.builder().name("handed-back").frontend(in).use("limit", addsHeaders)
                .use("replace", replaces).backend(refuses).listener(listener).build()) {
            p.start();
            Response r = in.send(in.request("GET", "/"));

            assertThat(r.status()).isEqualTo(503);
            assertThat(r.headers().first("RateLimit-Remaining")).contains("9");
            assertThat(r.rejection().orElseThrow().headers().first("RateLimit-Remaining")).contains("9");
            assertThat(stages).extracting(StageEvent::stage, StageEvent::outcome).containsExactly(
                    tuple("backend", Outcome.REJECTED), tuple("replace", Outcome.REJECTED),
                    tuple("limit", Outcome.PASSED));
            assertThat(exchanges).singleElement().satisfies(e -> {
                assertThat(e.outcome()).isEqualTo(Outcome.REJECTED);
                assertThat(e.request().path()).isEqualTo("/");
            });
        }
    }

    @Test
    void aFailureHandedBackIsAFailedExchangeWithTheThrowableOnTheStageEvent() {
        Middleware passes = chain -> chain.proceed(chain.request()).withHeader("X-Passed", "yes");
        Backend breaks = request -> {
            throw new IllegalStateException("disk on fire");
        };
        try (Pipeline p = Pipeline.builder().name("failed").frontend(in).use("passes", passes).backend(breaks)
                .listener(listener).build()) {
            p.start();
            assertThat(in.send(in.request("GET", "/")).status()).isEqualTo(500);

            assertThat(stages).extracting(StageEvent::stage, StageEvent::outcome)
                    .containsExactly(tuple("backend", Outcome.FAILED), tuple("passes", Outcome.PASSED));
            assertThat(stages.get(0).failure()).hasMessage("disk on fire");
            assertThat(stages.get(1).failure()).isNull();
            assertThat(exchanges).singleElement().extracting(ExchangeEvent::outcome).isEqualTo(Outcome.FAILED);
        }
    }

    @Test
    void aRejectedResponseIsARejectionOnly() {
        Response rejected = Response.rejected(Rejection.tooManyRequests("slow", java.time.Duration.ofSeconds(2)));
        Response tagged = rejected.withHeader("RateLimit-Limit", "100");

        assertThat(tagged.status()).isEqualTo(429);
        assertThat(tagged.headers().first("RateLimit-Limit")).contains("100");
        assertThat(tagged.rejection().orElseThrow().headers().first("RateLimit-Limit")).contains("100");
        assertThat(tagged.rejection().orElseThrow().sameOrigin(rejected.rejection().orElseThrow())).isTrue();
        assertThatThrownBy(() -> rejected.withStatus(200)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("withStatus(200) on a rejected response (TOO_MANY_REQUESTS)");
        assertThatThrownBy(() -> rejected.withBody(Body.ofText("x", "text/plain")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("withBody on a rejected response");
        assertThat(Response.ok().withStatus(201).withBody(Body.ofText("x", "text/plain")).status()).isEqualTo(201);
    }

    @Test
    void aListenerAttachedTwiceCountsEachExchangeOnce() {
        AtomicInteger finished = new AtomicInteger();
        PipelineListener counting = new PipelineListener() {
            @Override
            public void exchangeFinished(ExchangeEvent event) {
                finished.incrementAndGet();
            }
        };
        try (Pipeline p = Pipeline.builder().name("once").frontend(in).backend(request -> Response.ok())
                .listener(counting).build()) {
            assertThat(p.addListener(counting)).isFalse();
            p.start();
            for (int i = 0; i < 3; i++) {
                in.send(in.request("GET", "/"));
            }
            assertThat(finished).hasValue(3);
            p.removeListener(counting);
            assertThat(p.addListener(counting)).isTrue();
        }
    }
}
