package dev.harmony.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.PipelineListener.Outcome;
import dev.harmony.pipeline.PipelineListener.StageEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The non-blocking path: which stage runs on which thread, and failures turned into rejections. */
class PipelineAsyncTest {
    private final TestFrontend in = TestFrontend.create();
    private final ExecutorService workers = Executors.newFixedThreadPool(2, r -> new Thread(r, "worker"));
    private final AtomicInteger handedToWorkers = new AtomicInteger();
    private final List<StageEvent> events = new CopyOnWriteArrayList<>();
    private final List<String> threads = new CopyOnWriteArrayList<>();

    @AfterEach
    void shutDown() {
        workers.shutdownNow();
    }

    private void blocking(Runnable task) {
        handedToWorkers.incrementAndGet();
        workers.execute(task);
    }

    private Pipeline pipeline(MiddlewareStage middleware, BackendStage backend) {
        return Pipeline.builder().name("async").frontend(in).use("first", middleware).backend(backend)
                .listener(new PipelineListener() {
                    @Override
                    public void stageFinished(StageEvent event) {
                        events.add(event);
                    }
                }).build();
    }

    private AsyncMiddleware tagging() {
        return chain -> {
            threads.add("middleware " + Thread.currentThread().getName());
            return chain.proceed(chain.request()).thenApply(r -> {
                threads.add("after " + Thread.currentThread().getName());
                return r.withHeader("X-Tag", "seen");
            });
        };
    }

    private Response await(CompletionStage<Response> answer) throws Exception {
        return answer.toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void nonBlockingStagesRunOnTheCallingThreadAndContinueWhereTheBackendCompletes() throws Exception {
        CompletableFuture<Response> upstream = new CompletableFuture<>();
        AsyncBackend backend = request -> upstream;
        try (Pipeline p = pipeline(tagging(), backend)) {
            p.start();
            CompletionStage<Response> answer = p.handleAsync(in.request("GET", "/a").build(), this::blocking);

            assertThat(answer.toCompletableFuture()).isNotDone(); // returned without waiting for the backend
            Thread completer = new Thread(() -> upstream.complete(Response.ok()), "upstream-io");
            completer.start();
            Response response = await(answer);

            assertThat(response.status()).isEqualTo(200);
            assertThat(response.headers().first("X-Tag")).contains("seen");
            assertThat(handedToWorkers).hasValue(0);
            assertThat(threads).containsExactly("middleware " + Thread.currentThread().getName(),
                    "after upstream-io");
            assertThat(events).extracting(StageEvent::stage).containsExactly("backend", "first");
            assertThat(events).extracting(StageEvent::outcome).containsOnly(Outcome.PASSED);
        }
    }

    @Test
    void theFirstStageThatMayBlockAndEverythingAfterItRunOnTheBlockingExecutor() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        Middleware blockingGuard = chain -> {
            threads.add("guard " + Thread.currentThread().getName());
            go.await(5, TimeUnit.SECONDS); // so the caller has attached its continuation before this completes
            return chain.proceed(chain.request());
        };
        AsyncBackend backend = request -> {
            threads.add("backend " + Thread.currentThread().getName());
            return CompletableFuture.completedFuture(Response.of(201));
        };
        try (Pipeline p = Pipeline.builder().name("mixed").frontend(in).use("tag", tagging())
                .use("guard", blockingGuard).backend(backend).build()) {
            p.start();
            CompletionStage<Response> answer = p.handleAsync(in.request("GET", "/a").build(), this::blocking);
            go.countDown();
            Response response = await(answer);

            assertThat(response.status()).isEqualTo(201);
            assertThat(response.headers().first("X-Tag")).contains("seen");
            assertThat(handedToWorkers).hasValue(1);
            assertThat(threads).containsExactly("middleware " + Thread.currentThread().getName(),
                    "guard worker", "backend worker", "after worker");
        }
    }

    @Test
    void aRejectionCompletingTheFutureExceptionallyIsTheStagesOwn() throws Exception {
        AsyncMiddleware limit = chain -> CompletableFuture.failedFuture(
                Rejection.tooManyRequests("slow down", Duration.ofSeconds(3)).toException());
        try (Pipeline p = pipeline(limit, (Backend) request -> Response.ok())) {
            p.start();
            Response response = await(p.handleAsync(in.request("GET", "/a").build(), this::blocking));

            assertThat(response.rejection()).hasValueSatisfying(r -> {
                assertThat(r.kind()).isEqualTo(Rejection.Kind.TOO_MANY_REQUESTS);
                assertThat(r.retryAfter()).contains(Duration.ofSeconds(3));
            });
            assertThat(events).extracting(StageEvent::stage, StageEvent::outcome)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("first", Outcome.REJECTED));
            assertThat(handedToWorkers).hasValue(0); // the blocking backend was never reached
        }
    }

    @Test
    void aThrowingOrSilentAsyncBackendIsAnInternalErrorNamingTheStage() throws Exception {
        AsyncBackend throwing = request -> {
            throw new IllegalStateException("boom");
        };
        AsyncBackend silent = request -> null;
        for (AsyncBackend backend : List.of(throwing, silent)) {
            events.clear();
            try (Pipeline p = pipeline(tagging(), backend)) {
                p.start();
                Response response = await(p.handleAsync(in.request("GET", "/a").build(), this::blocking));

                assertThat(response.status()).isEqualTo(500);
                assertThat(response.rejection().orElseThrow().message()).contains("stage 'backend'");
                assertThat(events).extracting(StageEvent::outcome).containsExactly(Outcome.FAILED, Outcome.PASSED);
            }
        }
    }

    @Test
    void aRefusingExecutorIsAnInternalErrorNotAnException() throws Exception {
        Middleware blockingGuard = chain -> chain.proceed(chain.request());
        try (Pipeline p = pipeline(blockingGuard, (Backend) request -> Response.ok())) {
            p.start();
            Response response = await(p.handleAsync(in.request("GET", "/a").build(), task -> {
                throw new RejectedExecutionException("shut down");
            }));

            assertThat(response.status()).isEqualTo(500);
            assertThat(events).extracting(StageEvent::outcome).containsExactly(Outcome.FAILED);
        }
    }

    @Test
    void blockingFrontendsRunAsyncStagesTooAndSeeTheirOwnExceptions() {
        AsyncBackend refusing = request -> CompletableFuture.failedFuture(
                Rejection.forbidden("not yours").toException());
        try (Pipeline p = pipeline(tagging(), refusing)) {
            p.start();
            Response response = in.send(in.request("GET", "/a"));

            assertThat(response.rejection()).hasValueSatisfying(r ->
                    assertThat(r.kind()).isEqualTo(Rejection.Kind.FORBIDDEN));
            assertThat(threads).containsExactly("middleware " + Thread.currentThread().getName(),
                    "after " + Thread.currentThread().getName());
        }
    }

    @Test
    void anAsyncMiddlewareHandsOccasionalBlockingWorkToTheChainsExecutor() throws Exception {
        AsyncMiddleware lookup = chain -> CompletableFuture
                .supplyAsync(() -> Thread.currentThread().getName(), chain.blockingExecutor())
                .thenCompose(thread -> chain.proceed(chain.request())
                        .thenApply(r -> r.withHeader("X-Looked-Up-On", thread)));
        try (Pipeline p = pipeline(lookup, (AsyncBackend) request -> CompletableFuture.completedFuture(Response.ok()))) {
            p.start();
            Response async = await(p.handleAsync(in.request("GET", "/a").build(), this::blocking));
            Response sync = in.send(in.request("GET", "/a"));

            assertThat(async.headers().first("X-Looked-Up-On")).contains("worker");
            assertThat(sync.headers().first("X-Looked-Up-On")).contains(Thread.currentThread().getName());
            assertThat(handedToWorkers).hasValue(1);
        }
    }

    @Test
    void theDefaultHandleAsyncRunsTheBlockingPathOnTheExecutor() throws Exception {
        Handler plain = request -> Response.of(204);
        Request request = in.request("GET", "/a").build();

        assertThat(await(plain.handleAsync(request, this::blocking)).status()).isEqualTo(204);
        assertThat(handedToWorkers).hasValue(1);
    }
}
