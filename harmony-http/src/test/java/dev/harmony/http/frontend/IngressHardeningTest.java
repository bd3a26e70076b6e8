package dev.harmony.http.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.http.Loopback;
import dev.harmony.message.Attribute;
import dev.harmony.message.Body;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.AsyncBackend;
import dev.harmony.pipeline.Backend;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.pipeline.Rejection;
import dev.harmony.pipeline.RejectionRenderer;
import dev.harmony.testing.RecordingBackend;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile clients on raw sockets against a running ingress: malformed, ambiguous, surplus and slow
 * bytes. Each case checks the exact status line, that the answer went through the pipeline's
 * rejection renderer, whether the connection stays usable, and that the ingress serves the next client.
 * Both paths are covered: a body-less request through a non-blocking backend (the event loop) and a
 * blocking backend that reads the body (the worker).
 */
class IngressHardeningTest {
    /** Renders every rejection in a shape no default would produce, so a test sees it went through here. */
    private static final RejectionRenderer RENDERER =
            r -> Body.ofText(r.kind() + ": " + r.message(), "text/x-rejection");

    private static final List<Request> seenAsync = new CopyOnWriteArrayList<>();
    private static RecordingBackend blocking;
    private static Pipeline async;
    private static Pipeline worker;
    private static Pipeline webhook;
    private static Pipeline streaming;
    /**
     * Counted down once the streaming backend starts reading a body: the head has been through every
     * check by then, so what the client sends next arrives while the pipeline reads.
     */
    private static volatile CountDownLatch reading = new CountDownLatch(1);
    private static int port;

    @BeforeAll
    static void start() {
        AsyncBackend echo = request -> {
            seenAsync.add(request);
            return CompletableFuture.completedFuture(Response.ok(Body.ofText("ok " + request.path(), "text/plain")));
        };
        port = Loopback.freePort();
        async = Pipeline.builder().name("async").frontend(ingress("/async", port).build()).backend(echo).build();
        async.start();
        blocking = RecordingBackend.answering(r -> {
            if (r.path().equals("/fail")) {
                return Response.rejected(Rejection.upstreamUnavailable(
                        "upstream http://10.1.2.3:8443 is unreachable: java.net.ConnectException: Connection refused"));
            }
            return Response.ok(Body.ofText("got " + r.body().bytes().length, "text/plain"));
        });
        worker = Pipeline.builder().name("worker").frontend(ingress("/worker", port).build()).backend(blocking).build();
        worker.start();
        webhook = Pipeline.builder().name("webhook").frontend(ingress("/webhook", port).methods("POST").build())
                .backend(RecordingBackend.answering(Response.of(202))).build();
        webhook.start();
        Backend readsSlowly = request -> {
            try (InputStream in = request.body().stream()) {
                reading.countDown();
                return Response.ok(Body.ofText("read " + in.readAllBytes().length, "text/plain"));
            }
        };
        streaming = Pipeline.builder().name("streaming").frontend(ingress("/stream", port).build())
                .backend(readsSlowly).build();
        streaming.start();
    }

    private static HttpIngress.Builder ingress(String prefix, int onPort) {
        return HttpIngress.port(onPort).bind("127.0.0.1").prefix(prefix).rejections(RENDERER)
                .maxHeaderSize(4096).maxUriLength(1024).maxBodySize(1000);
    }

    @AfterAll
    static void stop() {
        streaming.close();
        webhook.close();
        worker.close();
        async.close();
    }

    @AfterEach
    void theIngressStillServesTheNextClient() throws IOException {
        try (RawClient c = new RawClient(port)) {
            RawClient.Answer a = c.exchange("GET /async/next HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(a.statusLine()).isEqualTo("HTTP/1.1 200 OK");
            assertThat(a.text()).isEqualTo("ok /next");
            RawClient.Answer b = c.exchange("POST /worker/next HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc");
            assertThat(b.text()).isEqualTo("got 3");
        }
        seenAsync.clear();
    }

    /** Asserts {@code a} is the renderer's answer with this status line and kind. */
    private static void rendered(RawClient.Answer a, String statusLine, Rejection.Kind kind) {
        assertThat(a.statusLine()).isEqualTo(statusLine);
        assertThat(a.header("Content-Type")).isEqualTo("text/x-rejection");
        assertThat(a.text()).startsWith(kind + ": ");
    }

    private static RawClient.Answer refusedAndClosed(String request, String statusLine, Rejection.Kind kind)
            throws IOException {
        try (RawClient c = new RawClient(port)) {
            RawClient.Answer a = c.exchange(request);
            rendered(a, statusLine, kind);
            assertThat(c.closedByServer()).as("connection closed after " + statusLine).isTrue();
            return a;
        }
    }

    // --- framing -------------------------------------------------------------------------------------

    @Test
    void chunkDataLongerThanItsDeclaredSizeIs400AndCloses() throws IOException {
        refusedAndClosed("POST /worker/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhelloEXTRA\r\n0\r\n\r\n", "HTTP/1.1 400 Bad Request", Rejection.Kind.MALFORMED);
    }

    @Test
    void bareLineFeedsInChunkFramingAre400AndClose() throws IOException {
        refusedAndClosed("POST /worker/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\nhello\n0\n\n", "HTTP/1.1 400 Bad Request", Rejection.Kind.MALFORMED);
    }

    @Test
    void aChunkSizeThatIsNotHexIs400AndCloses() throws IOException {
        refusedAndClosed("POST /worker/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "zz\r\nhello\r\n0\r\n\r\n", "HTTP/1.1 400 Bad Request", Rejection.Kind.MALFORMED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"3\r\nabcEXTRA\r\n0\r\n\r\n", "3\nabc\n0\n\n", "zz\r\nabc\r\n0\r\n\r\n",
            "3\r\nabc\r\n0\r\nTrailer: x\n\r\n"})
    void badChunkFramingArrivingWhileThePipelineReadsIs400AndCloses(String rest) throws Exception {
        reading = new CountDownLatch(1);
        try (RawClient c = new RawClient(port)) {
            c.send("POST /stream/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
            assertThat(reading.await(10, TimeUnit.SECONDS)).as("the backend is reading").isTrue();
            c.send(rest + "GET /async/smuggled HTTP/1.1\r\nHost: h\r\n\r\n");
            rendered(c.read(), "HTTP/1.1 400 Bad Request", Rejection.Kind.MALFORMED);
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(seenAsync).isEmpty();
    }

    @Test
    void goodChunkFramingSplitAcrossReadsIsReadWhole() throws Exception {
        reading = new CountDownLatch(1);
        try (RawClient c = new RawClient(port)) {
            c.send("POST /stream/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n");
            assertThat(reading.await(10, TimeUnit.SECONDS)).isTrue();
            c.send("A\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\nGET /async/after HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(c.read().text()).isEqualTo("read 15");
            assertThat(c.read().text()).isEqualTo("ok /after");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "chunked, gzip", "gzip, chunked", "identity", "xchunked"})
    void unknownTransferCodingsAre501AndClose(String coding) throws IOException {
        refusedAndClosed("POST /worker/coded HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: " + coding + "\r\n\r\n"
                + "5\r\nhello\r\n0\r\n\r\n", "HTTP/1.1 501 Not Implemented", Rejection.Kind.NOT_IMPLEMENTED);
        assertThat(blocking.received()).noneMatch(r -> r.request().path().equals("/coded"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"99999999999999999999", "-1", "+5", "5, 5", "0x10", "1e3"})
    void aContentLengthThatIsNotAPlainNumberIs400AndCloses(String length) throws IOException {
        refusedAndClosed("POST /worker/x HTTP/1.1\r\nHost: h\r\nContent-Length: " + length + "\r\n\r\nhello",
                "HTTP/1.1 400 Bad Request", Rejection.Kind.MALFORMED);
    }

    @Test
    void twoDifferentContentLengthsAre400AndClose() throws IOException {
        refusedAndClosed("POST /worker/x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 3\r\n\r\nhello",
                "HTTP/1.1 400 Bad Request", Rejection.Kind.MALFORMED);
    }

    @Test
    void contentLengthWithTransferEncodingIs400AndCloses() throws IOException {
        refusedAndClosed("POST /worker/x HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n0\r\n\r\nGET /async/smuggled HTTP/1.1\r\nHost: h\r\n\r\n",
                "HTTP/1.1 400 Bad Request", Rejection.Kind.MALFORMED);
        assertThat(seenAsync).noneMatch(r -> r.path().equals("/smuggled"));
    }

    @Test
    void aRequestLineUndertowCannotParseIs400RenderedAndCloses() throws IOException {
        refusedAndClosed("GET\r\nHost: h\r\n\r\n", "HTTP/1.1 400 Bad Request", Rejection.Kind.MALFORMED);
        refusedAndClosed("G(T /async/x HTTP/1.1\r\nHost: h\r\n\r\n", "HTTP/1.1 400 Bad Request", Rejection.Kind.MALFORMED);
        refusedAndClosed("GET /async/x HTTP/1.1\r\nBad Header\r\n\r\n", "HTTP/1.1 400 Bad Request",
                Rejection.Kind.MALFORMED);
        refusedAndClosed("GET /async/x HTTP/1.1\r\nHost: h\r\nX-Split: a\rb\r\n\r\n", "HTTP/1.1 400 Bad Request",
                Rejection.Kind.MALFORMED);
    }

    @Test
    void bareLineFeedsInTheHeadAre400AndClose() throws IOException {
        refusedAndClosed("GET /async/lf HTTP/1.1\nHost: h\n\n", "HTTP/1.1 400 Bad Request", Rejection.Kind.MALFORMED);
        refusedAndClosed("GET /async/lf HTTP/1.1\r\nHost: h\nX-A: b\r\n\r\n", "HTTP/1.1 400 Bad Request",
                Rejection.Kind.MALFORMED);
        assertThat(seenAsync).isEmpty();
    }

    /**
     * What Undertow's parser tolerates and the ingress cannot see (it gets the parsed head, not the
     * bytes): an unknown HTTP version is read as HTTP/1.1. It cannot smuggle anything past the ingress,
     * which writes the request anew for any upstream; this pins the behaviour the README documents.
     */
    @Test
    void anUnknownVersionIsReadAsHttp11() throws IOException {
        try (RawClient c = new RawClient(port)) {
            assertThat(c.exchange("GET /async/v HTTP/7.0\r\nHost: h\r\n\r\n").statusLine()).isEqualTo("HTTP/1.1 200 OK");
            assertThat(c.exchange("GET /async/w HTTP/1.1\r\nHost: h\r\n\r\n").text()).isEqualTo("ok /w");
        }
    }

    // --- methods -------------------------------------------------------------------------------------

    @Test
    void traceIs405WithAllow() throws IOException {
        try (RawClient c = new RawClient(port)) {
            RawClient.Answer a = c.exchange("TRACE /async/x HTTP/1.1\r\nHost: h\r\n\r\n");
            rendered(a, "HTTP/1.1 405 Method Not Allowed", Rejection.Kind.METHOD_NOT_ALLOWED);
            assertThat(a.header("Allow")).isEqualTo("DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT");
            assertThat(c.exchange("GET /async/after HTTP/1.1\r\nHost: h\r\n\r\n").text()).isEqualTo("ok /after");
        }
        assertThat(seenAsync).extracting(Request::path).containsExactly("/after");
    }

    @Test
    void aMethodTheIngressDoesNotTakeIs405WithItsAllowOnBothPaths() throws IOException {
        try (RawClient c = new RawClient(port)) {
            RawClient.Answer get = c.exchange("GET /webhook/patient HTTP/1.1\r\nHost: h\r\n\r\n");
            rendered(get, "HTTP/1.1 405 Method Not Allowed", Rejection.Kind.METHOD_NOT_ALLOWED);
            assertThat(get.header("Allow")).isEqualTo("POST");
            RawClient.Answer put = c.exchange("PUT /webhook/patient HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}");
            rendered(put, "HTTP/1.1 405 Method Not Allowed", Rejection.Kind.METHOD_NOT_ALLOWED);
            RawClient.Answer post = c.exchange("POST /webhook/patient HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}");
            assertThat(post.statusLine()).isEqualTo("HTTP/1.1 202 Accepted");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"FOO", "get", "PROPFIND", "CONNECT"})
    void unknownMethodsAre405(String method) throws IOException {
        try (RawClient c = new RawClient(port)) {
            RawClient.Answer a = c.exchange(method + " /async/x HTTP/1.1\r\nHost: h\r\n\r\n");
            rendered(a, "HTTP/1.1 405 Method Not Allowed", Rejection.Kind.METHOD_NOT_ALLOWED);
            assertThat(a.header("Allow")).isEqualTo("DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT");
        }
        assertThat(seenAsync).isEmpty();
    }

    @Test
    void aGetWithABodyIsServedWithTheBodyDroppedAndTheConnectionStaysInStep() throws IOException {
        try (RawClient c = new RawClient(port)) {
            c.send("GET /async/first HTTP/1.1\r\nHost: h\r\nContent-Length: 30\r\n\r\n"
                    + "GET /async/hidden HTTP/1.1\r\n\r\n"
                    + "GET /async/second HTTP/1.1\r\nHost: h\r\n\r\n"
                    + "HEAD /async/third HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
                    + "GET /async/fourth HTTP/1.1\r\nHost: h\r\n\r\n");
            assertThat(c.read().text()).isEqualTo("ok /first");
            assertThat(c.read().text()).isEqualTo("ok /second");
            assertThat(c.read(true).statusLine()).isEqualTo("HTTP/1.1 200 OK");
            assertThat(c.read().text()).isEqualTo("ok /fourth");
        }
        assertThat(seenAsync).extracting(Request::path).containsExactly("/first", "/second", "/third", "/fourth");
        assertThat(seenAsync.get(0).headers().contains("Content-Length")).isFalse();
        assertThat(seenAsync.get(0).body().length()).isZero();
    }

    @Test
    void aGetWithABodyOverTheLimitIs413AndAHeadRefusalHasNoBody() throws IOException {
        try (RawClient c = new RawClient(port)) {
            rendered(c.exchange("GET /async/big HTTP/1.1\r\nHost: h\r\nContent-Length: 1001\r\n\r\n" + "a".repeat(1001)),
                    "HTTP/1.1 413 Request Entity Too Large", Rejection.Kind.PAYLOAD_TOO_LARGE);
            RawClient.Answer head = c.send("HEAD /webhook/patient HTTP/1.1\r\nHost: h\r\n\r\n").read(true);
            assertThat(head.statusLine()).isEqualTo("HTTP/1.1 405 Method Not Allowed");
            assertThat(head.header("Allow")).isEqualTo("POST");
            assertThat(c.exchange("GET /async/after HTTP/1.1\r\nHost: h\r\n\r\n").text()).isEqualTo("ok /after");
        }
        assertThat(seenAsync).extracting(Request::path).containsExactly("/after");
    }

    @Test
    void aGetWithAChunkedBodyIs400AndCloses() throws IOException {
        refusedAndClosed("GET /async/x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                "HTTP/1.1 400 Bad Request", Rejection.Kind.MALFORMED);
    }

    // --- request targets -----------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"/worker/a/..;/b", "/worker/..;x/b", "/worker/%2e%2e/b", "/worker/%2E%2e", "/worker/.%2e/b",
            "/worker/./b", "/worker/a%2fb", "/worker/a%2Fb", "/worker/a%5cb", "/worker/a\\b", "/worker/a%00b",
            "/worker/a%0d%0ab", "/worker/%252e%252e/b", "/worker/a%252fb", "/worker/a%zzb", "/worker/a%2",
            "/worker/../async/x"})
    void pathTricksAre400AndNeverReachThePipeline(String path) throws IOException {
        int before = blocking.count();
        try (RawClient c = new RawClient(port)) {
            RawClient.Answer a = c.exchange("GET " + path + " HTTP/1.1\r\nHost: h\r\n\r\n");
            rendered(a, "HTTP/1.1 400 Bad Request", Rejection.Kind.MALFORMED);
        }
        assertThat(blocking.count()).isEqualTo(before);
        assertThat(seenAsync).isEmpty();
    }

    @Test
    void rawControlCharactersInTheTargetAre400() throws IOException {
        try (RawClient c = new RawClient(port)) {
            rendered(c.exchange("GET /async/a\0b HTTP/1.1\r\nHost: h\r\n\r\n"), "HTTP/1.1 400 Bad Request",
                    Rejection.Kind.MALFORMED);
            rendered(c.exchange("GET /async/a\u0001b HTTP/1.1\r\nHost: h\r\n\r\n"), "HTTP/1.1 400 Bad Request",
                    Rejection.Kind.MALFORMED);
            rendered(c.exchange("GET /async/a?q=\u0007 HTTP/1.1\r\nHost: h\r\n\r\n"), "HTTP/1.1 400 Bad Request",
                    Rejection.Kind.MALFORMED);
        }
        assertThat(seenAsync).isEmpty();
    }

    @Test
    void aTargetOverTheLimitIs414() throws IOException {
        try (RawClient c = new RawClient(port)) {
            RawClient.Answer a = c.exchange("GET /async/x?q=" + "a".repeat(1100) + " HTTP/1.1\r\nHost: h\r\n\r\n");
            rendered(a, "HTTP/1.1 414 Request-URI Too Large", Rejection.Kind.URI_TOO_LONG);
        }
        assertThat(seenAsync).isEmpty();
    }

    @Test
    void aHeadOverTheLimitIs431AndCloses() throws IOException {
        refusedAndClosed("GET /async/x HTTP/1.1\r\nHost: h\r\nX-Big: " + "b".repeat(5000) + "\r\n\r\n",
                "HTTP/1.1 431 Request Header Fields Too Large", Rejection.Kind.HEADERS_TOO_LARGE);
    }

    @Test
    void outsideEveryPrefixIs404FromTheRenderer() throws IOException {
        try (RawClient c = new RawClient(port)) {
            rendered(c.exchange("GET /nowhere HTTP/1.1\r\nHost: h\r\n\r\n"), "HTTP/1.1 404 Not Found",
                    Rejection.Kind.NOT_FOUND);
            rendered(c.exchange("POST /nowhere HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"),
                    "HTTP/1.1 404 Not Found", Rejection.Kind.NOT_FOUND);
            assertThat(c.exchange("GET /async/y HTTP/1.1\r\nHost: h\r\n\r\n").text()).isEqualTo("ok /y");
        }
    }

    @Test
    void anOversizedBodyIs413FromTheRenderer() throws IOException {
        try (RawClient c = new RawClient(port)) {
            rendered(c.exchange("POST /worker/x HTTP/1.1\r\nHost: h\r\nContent-Length: 1001\r\n\r\n" + "a".repeat(1001)),
                    "HTTP/1.1 413 Request Entity Too Large", Rejection.Kind.PAYLOAD_TOO_LARGE);
        }
    }

    // --- headers -------------------------------------------------------------------------------------

    @Test
    void twoHostHeadersAre400AndNoHostIs400() throws IOException {
        refusedAndClosed("GET /async/x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "HTTP/1.1 400 Bad Request",
                Rejection.Kind.MALFORMED);
        refusedAndClosed("GET /async/x HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request", Rejection.Kind.MALFORMED);
        assertThat(seenAsync).isEmpty();
    }

    @Test
    void anUnknownExpectationIs417() throws IOException {
        refusedAndClosed("POST /worker/x HTTP/1.1\r\nHost: h\r\nExpect: 200-ok\r\nContent-Length: 3\r\n\r\nabc",
                "HTTP/1.1 417 Expectation Failed", Rejection.Kind.EXPECTATION_FAILED);
        refusedAndClosed("GET /async/x HTTP/1.1\r\nHost: h\r\nExpect: something\r\n\r\n",
                "HTTP/1.1 417 Expectation Failed", Rejection.Kind.EXPECTATION_FAILED);
    }

    @Test
    void forwardingHeadersFromAnUntrustedPeerAreDropped() throws IOException {
        String spoofed = "X-Forwarded-For: 6.6.6.6\r\nX-Forwarded-Host: evil\r\nX-Forwarded-Proto: https\r\n"
                + "Forwarded: for=6.6.6.6;proto=https\r\nX-Real-IP: 6.6.6.6\r\nTrue-Client-IP: 6.6.6.6\r\n"
                + "X-Client-IP: 6.6.6.6\r\nX-Original-URL: /admin\r\nX-Rewrite-URL: /admin\r\n"
                + "X-HTTP-Method-Override: DELETE\r\nX-Kept: yes\r\n";
        try (RawClient c = new RawClient(port)) {
            assertThat(c.exchange("GET /async/x HTTP/1.1\r\nHost: h\r\n" + spoofed + "\r\n").text()).isEqualTo("ok /x");
            assertThat(c.exchange("POST /worker/x HTTP/1.1\r\nHost: h\r\n" + spoofed + "Content-Length: 1\r\n\r\nz")
                    .text()).isEqualTo("got 1");
        }
        Request viaLoop = seenAsync.get(0);
        Request viaWorker = blocking.last().request();
        for (Request r : List.of(viaLoop, viaWorker)) {
            assertThat(r.headers().names()).filteredOn(n -> !n.equalsIgnoreCase("Content-Length"))
                    .containsExactlyInAnyOrder("Host", "X-Kept");
            assertThat(r.attribute(Attribute.REMOTE_ADDRESS).map(InetSocketAddress::getHostString)).contains("127.0.0.1");
        }
    }

    @Test
    void forwardingHeadersFromATrustedProxyAreKeptAndNameTheClient() throws IOException {
        List<Request> seen = new CopyOnWriteArrayList<>();
        AsyncBackend record = r -> {
            seen.add(r);
            return CompletableFuture.completedFuture(Response.of(204));
        };
        try (Pipeline trusted = Pipeline.builder().name("trusted").frontend(HttpIngress.port(0).bind("127.0.0.1")
                .trustProxies("127.0.0.1").build()).backend(record).build()) {
            trusted.start();
            try (RawClient c = new RawClient(((HttpIngress) trusted.frontend()).port())) {
                assertThat(c.exchange("GET /x HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 192.0.2.7\r\nX-Real-IP: 192.0.2.7\r\n"
                        + "Forwarded: for=192.0.2.7\r\n\r\n").status()).isEqualTo(204);
                assertThat(c.exchange("GET /y HTTP/1.1\r\nHost: h\r\nForwarded: for=\"[2001:db8::1]:4711\";proto=https, "
                        + "for=127.0.0.1\r\n\r\n").status()).isEqualTo(204);
            }
        }
        assertThat(seen.get(0).headers().first("X-Real-IP")).contains("192.0.2.7");
        assertThat(seen.get(0).headers().first("Forwarded")).contains("for=192.0.2.7");
        assertThat(seen.get(0).attribute(Attribute.REMOTE_ADDRESS).map(InetSocketAddress::getHostString))
                .contains("192.0.2.7");
        assertThat(seen.get(1).attribute(Attribute.REMOTE_ADDRESS).map(a -> a.getAddress().getHostAddress()))
                .contains("2001:db8:0:0:0:0:0:1");
    }

    // --- diagnostics ---------------------------------------------------------------------------------

    @Test
    void anUpstreamFailureShowsNeitherAddressNorExceptionOnlyTheCorrelationId() throws IOException {
        try (RawClient c = new RawClient(port)) {
            RawClient.Answer a = c.exchange("GET /worker/fail HTTP/1.1\r\nHost: h\r\n\r\n");
            rendered(a, "HTTP/1.1 502 Bad Gateway", Rejection.Kind.UPSTREAM_UNAVAILABLE);
            assertThat(a.text()).doesNotContain("10.1.2.3").doesNotContain("8443").doesNotContain("Exception")
                    .doesNotContain("refused").containsPattern("correlation id [0-9a-f]{12}");
            String id = a.text().replaceAll(".*correlation id ([0-9a-f]{12}).*", "$1");
            assertThat(blocking.last().request().attribute(Attribute.EXCHANGE_ID)).contains(id);

            RawClient.Answer posted = c.exchange("POST /worker/fail HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}");
            rendered(posted, "HTTP/1.1 502 Bad Gateway", Rejection.Kind.UPSTREAM_UNAVAILABLE);
            assertThat(posted.text()).doesNotContain("10.1.2.3").doesNotContain("refused")
                    .containsPattern("correlation id [0-9a-f]{12}");
        }
    }

    // --- timeouts ------------------------------------------------------------------------------------

    @Test
    void aClientTricklingItsHeadIsCutOffAndAnIdleOneIsClosed() throws IOException {
        AsyncBackend ok = r -> CompletableFuture.completedFuture(Response.of(204));
        try (Pipeline p = Pipeline.builder().name("timeouts").frontend(HttpIngress.port(0).bind("127.0.0.1")
                .requestHeadTimeout(java.time.Duration.ofMillis(300)).idleTimeout(java.time.Duration.ofMillis(300))
                .build()).backend(ok).build()) {
            p.start();
            int timeoutsPort = ((HttpIngress) p.frontend()).port();
            try (RawClient slow = new RawClient(timeoutsPort)) {
                slow.send("GET /x HTTP/1.1\r\nHost: h\r\n");
                byte[] trickle = "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                        .repeat(3).getBytes(StandardCharsets.US_ASCII);
                int sent = 0;
                int state = -2;
                // One byte per 50 ms poll: the whole trickle would take 15 s; the head timeout is 300 ms.
                while (sent < trickle.length && state == -2) {
                    try {
                        slow.send(new byte[] {trickle[sent++]});
                    } catch (IOException closed) {
                        state = -1;
                        break;
                    }
                    state = slow.poll(50);
                }
                assertThat(state).as("closed while the head was still trickling").isEqualTo(-1);
                assertThat(sent).isLessThan(trickle.length);
            }
            try (RawClient idle = new RawClient(timeoutsPort)) {
                assertThat(idle.closedByServer()).as("an idle connection is closed").isTrue();
            }
            try (RawClient kept = new RawClient(timeoutsPort)) {
                assertThat(kept.exchange("GET /x HTTP/1.1\r\nHost: h\r\n\r\n").status()).isEqualTo(204);
                assertThat(kept.closedByServer()).as("idle after a request, then closed").isTrue();
            }
            try (RawClient next = new RawClient(timeoutsPort)) {
                assertThat(next.exchange("GET /x HTTP/1.1\r\nHost: h\r\n\r\n").status()).isEqualTo(204);
            }
        }
    }
}
