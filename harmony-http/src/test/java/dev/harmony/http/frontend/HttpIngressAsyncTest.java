package dev.harmony.http.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.http.Loopback;
import dev.harmony.message.Body;
import dev.harmony.message.Response;
import dev.harmony.pipeline.AsyncBackend;
import dev.harmony.pipeline.AsyncMiddleware;
import dev.harmony.pipeline.Middleware;
import dev.harmony.pipeline.MiddlewareStage;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.pipeline.Rejection;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Which thread runs what behind the ingress: IO thread for non-blocking stages, workers for the rest. */
class HttpIngressAsyncTest {
    private final List<String> threads = new CopyOnWriteArrayList<>();

    private AsyncMiddleware recordingThread(String stage) {
        return chain -> {
            threads.add(stage + " " + kind());
            return chain.proceed(chain.request());
        };
    }

    private AsyncBackend answering(Response response) {
        return request -> {
            threads.add("backend " + kind());
            return CompletableFuture.completedFuture(response);
        };
    }

    /** XNIO names its IO threads "... I/O-n" and its workers "... task-n". */
    private static String kind() {
        String name = Thread.currentThread().getName();
        return name.contains("I/O") ? "io" : name.contains("task") ? "worker" : name;
    }

    private Pipeline start(MiddlewareStage middleware, AsyncBackend backend) {
        Pipeline p = Pipeline.builder().name("async").frontend(HttpIngress.port(0).bind("127.0.0.1").build())
                .use("guard", middleware).backend(backend).build();
        p.start();
        return p;
    }

    private static int port(Pipeline p) {
        return ((HttpIngress) p.frontend()).port();
    }

    @Test
    void aBodylessRequestThroughNonBlockingStagesNeverLeavesTheIoThread() {
        try (Pipeline p = start(recordingThread("guard"), answering(Response.ok(Body.ofText("hi", "text/plain"))))) {
            HttpResponse<String> r = Loopback.get(port(p), "/x");

            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("hi");
            assertThat(threads).containsExactly("guard io", "backend io");
        }
    }

    @Test
    void aBlockingStageMovesTheRestToAWorkerAndARequestBodyMovesEverything() {
        Middleware blocking = chain -> {
            threads.add("guard " + kind());
            return chain.proceed(chain.request());
        };
        try (Pipeline p = start(blocking, answering(Response.of(204)))) {
            assertThat(Loopback.get(port(p), "/x").statusCode()).isEqualTo(204);
            assertThat(threads).containsExactly("guard worker", "backend worker");
        }
        threads.clear();
        try (Pipeline p = start(recordingThread("guard"), answering(Response.of(201)))) {
            HttpResponse<String> posted = Loopback.send(Loopback.request(port(p), "/x")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
            assertThat(posted.statusCode()).isEqualTo(201);
            assertThat(threads).containsExactly("guard worker", "backend worker"); // the body is read blocking
        }
    }

    @Test
    void bigStreamedAndHeadAnswersFromTheIoThreadPathAreComplete() {
        byte[] big = new byte[3 * 1024 * 1024 + 17];
        Arrays.fill(big, (byte) 'x');
        AsyncBackend backend = request -> CompletableFuture.completedFuture(switch (request.path()) {
            case "/big" -> Response.ok(Body.ofBytes(big, "application/octet-stream"));
            case "/stream" -> Response.ok(Body.ofStream(new ByteArrayInputStream(big), -1, "application/octet-stream"));
            default -> Response.ok(Body.ofText("{\"a\":1}", "application/json")).withHeader("Content-Length", "7");
        });
        try (Pipeline p = start(recordingThread("guard"), backend)) {
            for (String path : List.of("/big", "/stream")) {
                HttpResponse<byte[]> r = Loopback.client().sendAsync(Loopback.request(port(p), path).build(),
                        HttpResponse.BodyHandlers.ofByteArray()).join();
                assertThat(r.statusCode()).as(path).isEqualTo(200);
                assertThat(r.body()).as(path).isEqualTo(big);
            }
            HttpResponse<String> head = Loopback.send(Loopback.request(port(p), "/small")
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.headers().firstValue("Content-Length")).contains("7");
            assertThat(head.body()).isEmpty();
        }
    }

    @Test
    void aClientGoneBeforeTheAnswerCompletesLeavesTheIngressServing() throws Exception {
        CompletableFuture<Response> late = new CompletableFuture<>();
        java.util.concurrent.CountDownLatch asked = new java.util.concurrent.CountDownLatch(1);
        AsyncBackend backend = request -> {
            if (request.path().equals("/late")) {
                asked.countDown();
                return late;
            }
            return CompletableFuture.completedFuture(Response.ok(Body.ofText("fine", "text/plain")));
        };
        try (Pipeline p = start(recordingThread("guard"), backend)) {
            try (java.net.Socket client = new java.net.Socket("127.0.0.1", port(p))) {
                client.getOutputStream().write("GET /late HTTP/1.1\r\nHost: x\r\n\r\n"
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                client.getOutputStream().flush();
                assertThat(asked.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            } // the client hangs up while the backend is still working
            late.complete(Response.ok(Body.ofText("too late", "text/plain")));

            HttpResponse<String> next = Loopback.get(port(p), "/next");
            assertThat(next.statusCode()).isEqualTo(200);
            assertThat(next.body()).isEqualTo("fine");
        }
    }

    @Test
    void aRequestSentWhileTheFirstIsStillWaitingIsAnsweredAfterIt() throws Exception {
        CompletableFuture<Response> slow = new CompletableFuture<>();
        java.util.concurrent.CountDownLatch asked = new java.util.concurrent.CountDownLatch(2);
        AsyncBackend backend = request -> {
            asked.countDown();
            return request.path().equals("/slow") ? slow
                    : CompletableFuture.completedFuture(Response.ok(Body.ofText("second", "text/plain")));
        };
        try (Pipeline p = start(recordingThread("guard"), backend);
                java.net.Socket client = new java.net.Socket("127.0.0.1", port(p))) {
            client.setSoTimeout(5_000);
            java.io.OutputStream out = client.getOutputStream();
            out.write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            // the ingress keeps reading while /slow waits: the next request arrives during the exchange
            out.write("GET /fast HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            out.flush();
            assertThat(asked.await(300, java.util.concurrent.TimeUnit.MILLISECONDS))
                    .as("the second request must wait for the first answer").isFalse();
            slow.complete(Response.ok(Body.ofText("first", "text/plain")));

            String answers = readUntil(client.getInputStream(), "second");
            assertThat(answers).containsSubsequence("HTTP/1.1 200", "first", "HTTP/1.1 200", "second");
            assertThat(asked.getCount()).isZero();
        }
    }

    private static String readUntil(java.io.InputStream in, String marker) throws java.io.IOException {
        StringBuilder seen = new StringBuilder();
        byte[] buffer = new byte[4096];
        while (seen.indexOf(marker) < 0) {
            int n = in.read(buffer);
            if (n < 0) {
                break;
            }
            seen.append(new String(buffer, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1));
        }
        return seen.toString();
    }

    @Test
    void aRejectionOnTheIoThreadIsRenderedAndTheConnectionKeepsServing() {
        AsyncMiddleware deny = chain -> chain.request().path().equals("/deny")
                ? CompletableFuture.failedFuture(Rejection.forbidden("not for you").toException())
                : chain.proceed(chain.request());
        try (Pipeline p = start(deny, answering(Response.ok()))) {
            HttpResponse<String> denied = Loopback.get(port(p), "/deny");
            assertThat(denied.statusCode()).isEqualTo(403);
            assertThat(denied.body()).contains("not for you");
            assertThat(Loopback.get(port(p), "/ok").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void anAsyncMiddlewareThatWaitsOnItsChainOnTheOnlyIoThreadGetsAClearErrorNotAHang() {
        CompletableFuture<Response> later = new CompletableFuture<>(); // an upstream that answers later
        AsyncMiddleware waits = chain -> {
            if (chain.request().path().equals("/ok")) {
                return chain.proceed(chain.request());
            }
            // misdeclared: a blocking wait on the event loop, where the answer may need this very thread
            return CompletableFuture.completedFuture(chain.proceed(chain.request()).toCompletableFuture().join());
        };
        AsyncBackend backend = request -> request.path().equals("/ok")
                ? CompletableFuture.completedFuture(Response.ok(Body.ofText("fine", "text/plain"))) : later;
        try (Pipeline p = Pipeline.builder().name("waits")
                .frontend(HttpIngress.port(0).bind("127.0.0.1").ioThreads(1).build())
                .use("joiner", waits).backend(backend).build()) {
            p.start();
            HttpResponse<String> r = Loopback.get(port(p), "/wait");

            assertThat(r.statusCode()).isEqualTo(500);
            assertThat(r.body()).contains("internal error in stage 'joiner'");
            // the single IO thread was never blocked: it serves the next request
            HttpResponse<String> next = Loopback.get(port(p), "/ok");
            assertThat(next.statusCode()).isEqualTo(200);
            assertThat(next.body()).isEqualTo("fine");
        } finally {
            later.complete(Response.ok());
        }
    }
}
