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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
    void aBlockingStageMovesTheRestToAWorkerAndARequestBodyStaysOnTheIoThread() {
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
            // the body is a non-blocking source: non-blocking stages handle it on the IO thread too
            assertThat(threads).containsExactly("guard io", "backend io");
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

    /**
     * A reader that asks for the next piece from its own callback, as a proxy does whose upstream takes
     * every piece at once: while the socket keeps up, each piece used to be answered inside the previous
     * callback, one stack level per piece, until a long body overflowed the stack (seen forwarding 50 MB).
     * The client fills the socket buffers before the first read, so many pieces are ready back to back.
     * Both paths: the backend on the IO thread, and on a worker behind a blocking stage.
     */
    @ParameterizedTest(name = "chunked {0}, blocking stage {1}")
    @CsvSource({"false, false", "true, false", "false, true", "true, true"})
    void aReaderAskingAgainFromItsCallbackIsNeverAnsweredInsideIt(boolean chunked, boolean blocking) throws Exception {
        int size = 12 * 1024 * 1024;
        java.util.concurrent.CountDownLatch filled = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicInteger nested = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger pieces = new java.util.concurrent.atomic.AtomicInteger();
        AsyncBackend backend = request -> {
            threads.add("backend " + kind());
            Body.Source source = request.body().source().orElseThrow();
            CompletableFuture<Response> answer = new CompletableFuture<>();
            Body.Reader reader = new Body.Reader() {
                private boolean inside;
                private long count;

                @Override
                public void onData(java.nio.ByteBuffer data) {
                    if (inside) {
                        nested.incrementAndGet();
                    }
                    inside = true;
                    if (pieces.incrementAndGet() == 1) {
                        threads.add("reader " + kind());
                    }
                    count += data.remaining();
                    data.position(data.limit());
                    source.read(this);
                    inside = false;
                }

                @Override
                public void onEnd() {
                    answer.complete(Response.ok(Body.ofText(Long.toString(count), "text/plain")));
                }

                @Override
                public void onError(Throwable failure) {
                    answer.completeExceptionally(failure);
                }
            };
            // the first read waits until the client's bytes fill the socket buffers
            CompletableFuture.runAsync(() -> {
                try {
                    filled.await(20, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                source.read(reader);
            });
            return answer;
        };
        Middleware blockingStage = chain -> chain.proceed(chain.request());
        try (Pipeline p = start(blocking ? blockingStage : recordingThread("guard"), backend);
                java.net.Socket client = new java.net.Socket()) {
            client.setSendBufferSize(4 * 1024 * 1024);
            client.connect(new java.net.InetSocketAddress("127.0.0.1", port(p)));
            client.setSoTimeout(30_000);
            java.io.OutputStream out = client.getOutputStream();
            String framing = chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + size;
            out.write(("POST /up HTTP/1.1\r\nHost: x\r\n" + framing + "\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            byte[] piece = new byte[256 * 1024];
            Arrays.fill(piece, (byte) 'x');
            for (int sent = 0; sent < size; sent += piece.length) {
                if (chunked) {
                    out.write((Integer.toHexString(piece.length) + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                }
                out.write(piece);
                if (chunked) {
                    out.write("\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                }
                if (sent + piece.length >= 2 * 1024 * 1024) {
                    filled.countDown(); // 2 MB sits in the send buffer and the server's receive buffer
                }
            }
            if (chunked) {
                out.write("0\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
            out.flush();

            String answer = readUntil(client.getInputStream(), "\r\n\r\n" + size);
            assertThat(answer).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n" + size);
            assertThat(pieces.get()).isGreaterThan(size / (64 * 1024) - 1);
            assertThat(nested.get()).as("pieces answered inside the previous callback").isZero();
            assertThat(threads).containsExactlyElementsOf(blocking ? List.of("backend worker", "reader io")
                    : List.of("guard io", "backend io", "reader io")); // pieces come on the IO thread either way
        }
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
            // the stage and the cause are logged under the correlation id; the client gets the id
            assertThat(r.body()).containsPattern("internal error \\(correlation id [0-9a-f]{12}\\)");
            // the single IO thread was never blocked: it serves the next request
            HttpResponse<String> next = Loopback.get(port(p), "/ok");
            assertThat(next.statusCode()).isEqualTo(200);
            assertThat(next.body()).isEqualTo("fine");
        } finally {
            later.complete(Response.ok());
        }
    }
}
