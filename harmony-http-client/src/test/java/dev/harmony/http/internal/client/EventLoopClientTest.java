package dev.harmony.http.internal.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.harmony.message.Body;
import dev.harmony.message.Headers;
import dev.harmony.message.Response;
import io.undertow.Undertow;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;
import io.undertow.util.SameThreadExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;

/** The event-loop client against a real Undertow upstream and raw-socket upstreams that misbehave. */
class EventLoopClientTest {
    private static final String PATIENT =
            "{\"resourceType\":\"Patient\",\"id\":\"1\",\"name\":[{\"family\":\"Ünal\"}]}";
    private static final int BIG = 5 * 1024 * 1024;

    private Undertow upstream;
    private URI upstreamOrigin;
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @BeforeEach
    void startUpstream() {
        upstream = Undertow.builder().addHttpListener(0, "127.0.0.1")
                .setHandler(new BlockingHandler(EventLoopClientTest::answer)).build();
        upstream.start();
        InetSocketAddress address = (InetSocketAddress) upstream.getListenerInfo().get(0).getAddress();
        upstreamOrigin = URI.create("http://127.0.0.1:" + address.getPort());
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeAfter) {
            c.close();
        }
        upstream.stop();
    }

    /** The Undertow upstream; each answer says which client port (= which connection) asked. */
    private static void answer(HttpServerExchange exchange) throws IOException {
        io.undertow.util.HeaderMap out = exchange.getResponseHeaders();
        out.put(new HttpString("X-Client-Port"), exchange.getSourceAddress().getPort());
        switch (exchange.getRequestPath()) {
            case "/fhir/Patient/1" -> {
                Set<String> names = new TreeSet<>();
                for (HeaderValues values : exchange.getRequestHeaders()) {
                    names.add(values.getHeaderName().toString().toLowerCase(Locale.ROOT));
                }
                out.put(new HttpString("X-Seen-Names"), String.join(",", names));
                out.put(new HttpString("X-Seen-Host"), exchange.getRequestHeaders().getFirst("Host"));
                out.put(new HttpString("X-Seen-Query"), exchange.getQueryString());
                out.add(new HttpString("X-Multi"), "a");
                out.add(new HttpString("X-Multi"), "b");
                out.put(io.undertow.util.Headers.CONTENT_TYPE, "application/fhir+json");
                exchange.getResponseSender().send(PATIENT, StandardCharsets.UTF_8);
            }
            case "/echo" -> exchange.getResponseSender().send("echo " + exchange.getQueryString());
            case "/head" -> {
                out.put(io.undertow.util.Headers.CONTENT_LENGTH, "100000");
                if (!exchange.getRequestMethod().toString().equals("HEAD")) {
                    exchange.getOutputStream().write(new byte[100_000]);
                }
            }
            case "/no-content" -> exchange.setStatusCode(204);
            case "/not-modified" -> {
                exchange.setStatusCode(304);
                out.put(io.undertow.util.Headers.ETAG, "\"v1\"");
            }
            case "/big" -> {
                exchange.setResponseContentLength(BIG);
                writePattern(exchange.getOutputStream(), BIG);
            }
            case "/chunked" -> writePattern(exchange.getOutputStream(), Integer.parseInt(exchange.getQueryString()));
            default -> exchange.setStatusCode(404);
        }
    }

    private static void writePattern(OutputStream out, int length) throws IOException {
        byte[] piece = new byte[8192];
        for (int written = 0; written < length; written += piece.length) {
            int n = Math.min(piece.length, length - written);
            for (int i = 0; i < n; i++) {
                piece[i] = pattern(written + i);
            }
            out.write(piece, 0, n);
            out.flush();
        }
    }

    private static byte pattern(long i) {
        return (byte) (i * 31 + (i >> 13));
    }

    private EventLoopClient client(URI origin, Duration readTimeout, int maxConnections) {
        EventLoopClient client = new EventLoopClient(origin, Duration.ofSeconds(2), readTimeout, maxConnections);
        client.start();
        closeAfter.add(0, client);
        return client;
    }

    private EventLoopClient client() {
        return client(upstreamOrigin, Duration.ofSeconds(5), 8);
    }

    private static Response get(EventLoopClient client, String target) throws Exception {
        return client.send("GET", target, Headers.empty()).get(5, TimeUnit.SECONDS);
    }

    private static Throwable failure(CompletableFuture<Response> future) {
        try {
            future.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError("expected the request to fail, got " + e, e);
        }
        throw new AssertionError("expected the request to fail, it succeeded");
    }

    @Test
    void getsSmallJsonWithItsHeadersAndSendsOnlyTheCallersHeadersPlusHost() throws Exception {
        EventLoopClient client = client();

        Response response = client.send("GET", "/fhir/Patient/1?_format=json&x=%20y",
                Headers.of("Accept", "application/fhir+json", "X-Request-Id", "r-1")).get(5, TimeUnit.SECONDS);

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.headers().all("X-Multi")).containsExactly("a", "b");
        assertThat(response.headers().first("Content-Type")).contains("application/fhir+json");
        assertThat(response.body().contentType()).contains("application/fhir+json");
        assertThat(response.body().isRepeatable()).isTrue();
        assertThat(response.body().bytes()).isEqualTo(PATIENT.getBytes(StandardCharsets.UTF_8));
        assertThat(response.headers().first("X-Seen-Host")).contains(upstreamOrigin.getAuthority());
        assertThat(response.headers().first("X-Seen-Query")).contains("_format=json&x=%20y");
        assertThat(response.headers().first("X-Seen-Names")).contains("accept,host,x-request-id");
    }

    @Test
    void aHostNameIsResolvedAtStartAndStillSentAsHost() throws Exception {
        URI byName = URI.create("http://localhost:" + upstreamOrigin.getPort());
        Response response = get(client(byName, Duration.ofSeconds(5), 1), "/fhir/Patient/1");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.headers().first("X-Seen-Host")).contains("localhost:" + upstreamOrigin.getPort());
    }

    @Test
    void refusesWhatWouldSplitTheRequestOnTheWireAndBadConfiguration() throws Exception {
        EventLoopClient client = client();
        assertThat(failure(client.send("GET", "/a\r\nX-Evil: 1", Headers.empty())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target");
        assertThat(failure(client.send("GET", "/a", Headers.of("X-Evil", "1\r\nHost: elsewhere"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("X-Evil");
        assertThat(failure(client.send("GE T", "/a", Headers.empty())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("method");
        assertThat(failure(client.send(null, "/a", Headers.empty()))).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> new EventLoopClient(URI.create("ftp://127.0.0.1:1"), Duration.ofSeconds(1),
                Duration.ofSeconds(1), 1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("origin");
        assertThatThrownBy(() -> new EventLoopClient(upstreamOrigin, Duration.ZERO, Duration.ofSeconds(1), 1))
                .hasMessageContaining("connectTimeout");
        assertThatThrownBy(() -> new EventLoopClient(upstreamOrigin, Duration.ofSeconds(1), Duration.ofSeconds(1), 0))
                .hasMessageContaining("maxConnectionsPerThread");
        assertThat(get(client, "/echo?still-fine").body().text()).isEqualTo("echo still-fine");
    }

    @Test
    void upstreamConnectionsAreOpenedWithNagleOff() throws Exception {
        EventLoopClient client = client();
        Undertow probe = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(exchange -> { }).build();
        probe.start();
        closeAfter.add(probe::stop);
        // the same options and connect call the pools use, on an I/O thread of a running server
        XnioIoThread ioThread = probe.getWorker().getIoThread();
        StreamConnection connection = ioThread.openStreamConnection(client.connectAddress(), null,
                client.connectionOptions).get();
        try {
            assertThat(connection.getOption(Options.TCP_NODELAY)).isTrue();
        } finally {
            connection.close();
        }
    }

    @Test
    void dropsHopByHopResponseHeadersIncludingThoseConnectionNames() throws Exception {
        EventLoopRawUpstream raw = new EventLoopRawUpstream((index, socket) -> {
            EventLoopRawUpstream.readHead(socket.getInputStream());
            EventLoopRawUpstream.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n"
                    + "Connection: keep-alive, X-Private\r\nX-Private: secret\r\nKeep-Alive: timeout=5\r\n"
                    + "Proxy-Connection: keep-alive\r\nTrailer: X-Sum\r\nTE: trailers\r\nUpgrade: h2c\r\n"
                    + "X-End-To-End: kept\r\n\r\nok");
            EventLoopRawUpstream.readHead(socket.getInputStream());
        });
        closeAfter.add(raw);

        Response response = get(client(raw.origin(), Duration.ofSeconds(5), 2), "/x");

        assertThat(response.headers().names()).containsExactlyInAnyOrder("Content-Length", "Content-Type",
                "X-End-To-End");
        assertThat(response.body().text()).isEqualTo("ok");
    }

    @Test
    void sequentialRequestsReuseOneKeepAliveConnection() throws Exception {
        EventLoopClient client = client();
        Set<String> ports = new TreeSet<>();
        for (int i = 0; i < 10; i++) {
            Response response = get(client, "/echo?" + i);
            assertThat(response.body().text()).isEqualTo("echo " + i);
            ports.add(response.headers().first("X-Client-Port").orElseThrow());
        }
        assertThat(ports).hasSize(1);
    }

    @Test
    void clientsUsedFromPlainThreadsShareOneWorkerWhichTheLastCloseShutsDown() throws Exception {
        assertThat(SharedWorker.users()).as("no client of an earlier test still holds the worker").isZero();
        EventLoopClient a = client();
        EventLoopClient b = client();
        assertThat(get(a, "/echo?a").body().text()).isEqualTo("echo a");
        assertThat(get(b, "/echo?b").body().text()).isEqualTo("echo b");
        XnioWorker worker = a.heldWorker();
        assertThat(b.heldWorker()).isSameAs(worker);
        assertThat(SharedWorker.users()).isEqualTo(2);

        a.close();
        assertThat(worker.isShutdown()).as("b still holds it").isFalse();
        assertThat(get(b, "/echo?still").body().text()).isEqualTo("echo still");
        assertThat(failure(a.send("GET", "/echo?closed", Headers.empty()))).hasMessageContaining("closed");

        b.close();
        assertThat(worker.awaitTermination(10, TimeUnit.SECONDS)).as("the last close ends its threads").isTrue();
        assertThat(SharedWorker.users()).isZero();
        EventLoopClient c = client();
        assertThat(get(c, "/echo?c").body().text()).isEqualTo("echo c");
        assertThat(c.heldWorker()).isNotSameAs(worker);
    }

    @Test
    void answersManyConcurrentRequestsFromPlainThreadsQueueingBeyondTheConnectionLimit() throws Exception {
        EventLoopClient client = client(upstreamOrigin, Duration.ofSeconds(5), 4);
        ExecutorService callers = Executors.newFixedThreadPool(8);
        try {
            List<Future<CompletableFuture<Response>>> sent = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String target = "/echo?" + i;
                sent.add(callers.submit(() -> client.send("GET", target, Headers.empty())));
            }
            Set<String> ports = new TreeSet<>();
            for (int i = 0; i < 200; i++) {
                Response response = sent.get(i).get(5, TimeUnit.SECONDS).get(5, TimeUnit.SECONDS);
                assertThat(response.body().text()).isEqualTo("echo " + i);
                ports.add(response.headers().first("X-Client-Port").orElseThrow());
            }
            // 2 I/O threads of the client's own worker, at most 4 connections each
            assertThat(ports).hasSizeLessThanOrEqualTo(8);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void onAServerIoThreadTheAnswerCompletesOnThatSameThread() throws Exception {
        EventLoopClient client = client(upstreamOrigin, Duration.ofSeconds(5), 4);
        AtomicInteger sameThread = new AtomicInteger();
        AtomicInteger otherThread = new AtomicInteger();
        Undertow front = Undertow.builder().addHttpListener(0, "127.0.0.1").setIoThreads(2)
                .setHandler(exchange -> exchange.dispatch(SameThreadExecutor.INSTANCE, () -> {
                    Thread ioThread = Thread.currentThread();
                    if (!exchange.isInIoThread()) {
                        otherThread.incrementAndGet();
                    }
                    client.send("GET", "/echo?" + exchange.getQueryString(), Headers.empty()).whenComplete((r, e) -> {
                        (Thread.currentThread() == ioThread ? sameThread : otherThread).incrementAndGet();
                        if (r != null) {
                            exchange.getResponseHeaders().put(new HttpString("X-Upstream-Port"),
                                    r.headers().first("X-Client-Port").orElse("?"));
                        }
                        exchange.getResponseSender().send(e != null ? "failed " + e : r.body().text());
                    });
                })).build();
        front.start();
        closeAfter.add(front::stop);
        int port = ((InetSocketAddress) front.getListenerInfo().get(0).getAddress()).getPort();

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            answers.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/?" + i))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        Set<String> upstreamPorts = new TreeSet<>();
        for (int i = 0; i < 200; i++) {
            HttpResponse<String> answer = answers.get(i).get(10, TimeUnit.SECONDS);
            assertThat(answer.body()).isEqualTo("echo " + i);
            upstreamPorts.add(answer.headers().firstValue("X-Upstream-Port").orElseThrow());
        }
        // one pool per server I/O thread: 2 threads, at most 4 connections each
        assertThat(upstreamPorts).hasSizeLessThanOrEqualTo(8);
        assertThat(sameThread.get()).isEqualTo(200);
        assertThat(otherThread.get()).isZero();
    }

    @Test
    void headNoContentAndNotModifiedHaveNoBodyAndKeepTheConnection() throws Exception {
        EventLoopClient client = client();
        Response head = client.send("HEAD", "/head", Headers.empty()).get(5, TimeUnit.SECONDS);
        Response noContent = get(client, "/no-content");
        Response notModified = client.send("GET", "/not-modified", Headers.of("If-None-Match", "\"v1\""))
                .get(5, TimeUnit.SECONDS);
        Response after = get(client, "/echo?after");

        assertThat(head.status()).isEqualTo(200);
        assertThat(head.headers().first("Content-Length")).contains("100000");
        assertThat(noContent.status()).isEqualTo(204);
        assertThat(notModified.status()).isEqualTo(304);
        assertThat(notModified.headers().first("ETag")).contains("\"v1\"");
        for (Response r : List.of(head, noContent, notModified)) {
            assertThat(r.body().length()).isZero();
        }
        assertThat(after.body().text()).isEqualTo("echo after");
        assertThat(Set.of(head, noContent, notModified, after).stream()
                .map(r -> r.headers().first("X-Client-Port").orElseThrow()).collect(Collectors.toSet())).hasSize(1);
    }

    @Test
    void aFiveMegabyteBodyStreamsAndItsConnectionIsReusedAfterTheEnd() throws Exception {
        EventLoopClient client = client();
        Response response = get(client, "/big");

        assertThat(response.body().isRepeatable()).as("streamed, not buffered").isFalse();
        assertThat(response.body().length()).isEqualTo(BIG);
        assertThat(readPattern(response.body())).isEqualTo(BIG);
        Response after = get(client, "/echo?after");
        assertThat(after.headers().first("X-Client-Port")).isEqualTo(response.headers().first("X-Client-Port"));
    }

    @Test
    void aStreamClosedEarlyClosesItsConnectionAndTheNextRequestGetsAFreshOne() throws Exception {
        EventLoopClient client = client(upstreamOrigin, Duration.ofSeconds(5), 1);
        Response response = get(client, "/big");
        try (InputStream in = response.body().stream()) {
            assertThat(in.readNBytes(100_000)).hasSize(100_000);
        }

        Response after = get(client, "/echo?after");
        assertThat(after.body().text()).isEqualTo("echo after");
        assertThat(after.headers().first("X-Client-Port")).isNotEqualTo(response.headers().first("X-Client-Port"));
    }

    @Test
    void aStreamReadOnAnIoThreadFailsInsteadOfStallingIt() throws Exception {
        EventLoopClient client = client();
        Response response = get(client, "/big");
        // read it on an I/O thread by mistake (any XNIO I/O thread would stall its connections)
        org.xnio.XnioWorker io = org.xnio.Xnio.getInstance().createWorker(org.xnio.OptionMap.create(
                org.xnio.Options.WORKER_IO_THREADS, 1));
        try {
            CompletableFuture<Long> readOnIoThread = new CompletableFuture<>();
            io.getIoThread().execute(() -> {
                try (InputStream in = response.body().stream()) {
                    readOnIoThread.complete(in.transferTo(OutputStream.nullOutputStream()));
                } catch (Throwable e) {
                    readOnIoThread.completeExceptionally(e);
                }
            });

            assertThatThrownBy(() -> readOnIoThread.get(5, TimeUnit.SECONDS)).hasRootCauseInstanceOf(IOException.class)
                    .hasStackTraceContaining("not an I/O thread");
        } finally {
            io.shutdownNow();
        }
        assertThat(get(client, "/echo?after").body().text()).isEqualTo("echo after");
    }

    @Test
    void aChunkedBodyStreamsWithUnknownLength() throws Exception {
        EventLoopClient client = client();
        Response response = get(client, "/chunked?300000");

        assertThat(response.headers().contains("Transfer-Encoding")).isFalse();
        assertThat(response.body().isRepeatable()).isFalse();
        assertThat(response.body().length()).isEqualTo(-1);
        assertThat(readPattern(response.body())).isEqualTo(300_000);
        assertThat(get(client, "/echo?after").headers().first("X-Client-Port"))
                .isEqualTo(response.headers().first("X-Client-Port"));
    }

    /** Reads the body on this (plain) thread, checking every byte; returns the count. */
    private static long readPattern(Body body) throws IOException {
        long count = 0;
        byte[] buffer = new byte[16384];
        try (InputStream in = body.stream()) {
            int n;
            while ((n = in.read(buffer)) != -1) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] != pattern(count + i)) {
                        throw new AssertionError("byte " + (count + i) + " differs");
                    }
                }
                count += n;
            }
        }
        return count;
    }

    @Test
    void aRefusedConnectionFailsPromptlyWithConnectException() throws Exception {
        int freePort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            freePort = probe.getLocalPort();
        }
        EventLoopClient client = client(URI.create("http://127.0.0.1:" + freePort), Duration.ofSeconds(5), 2);

        long start = System.nanoTime();
        assertThat(failure(client.send("GET", "/", Headers.empty()))).isInstanceOf(ConnectException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void noConnectionWithinTheConnectTimeoutFailsWithSocketTimeoutException() throws Exception {
        // a listener that never accepts: once its backlog is full, the kernel drops further SYNs
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Socket> fillers = new ArrayList<>();
            try {
                while (fillers.size() < 16) {
                    Socket filler = new Socket();
                    fillers.add(filler);
                    try {
                        filler.connect(full.getLocalSocketAddress(), 200);
                    } catch (SocketTimeoutException backlogFull) {
                        break;
                    }
                }
                EventLoopClient client = new EventLoopClient(URI.create("http://127.0.0.1:" + full.getLocalPort()),
                        Duration.ofMillis(300), Duration.ofSeconds(5), 1);
                closeAfter.add(0, client);

                long start = System.nanoTime();
                assertThat(failure(client.send("GET", "/", Headers.empty())))
                        .isInstanceOf(SocketTimeoutException.class).hasMessageContaining("no connection");
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(250),
                        Duration.ofSeconds(3));
            } finally {
                for (Socket filler : fillers) {
                    filler.close();
                }
            }
        }
    }

    @Test
    void noAnswerWithinTheReadTimeoutFailsClosesThatConnectionAndTheNextRequestWorks() throws Exception {
        CountDownLatch silentClosed = new CountDownLatch(1);
        EventLoopRawUpstream raw = new EventLoopRawUpstream((index, socket) -> {
            InputStream in = socket.getInputStream();
            if (index == 0) { // takes the request, never answers, waits for the client to hang up
                EventLoopRawUpstream.readHead(in);
                if (in.read() == -1) {
                    silentClosed.countDown();
                }
                return;
            }
            while (EventLoopRawUpstream.readHead(in) != null) {
                EventLoopRawUpstream.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nlater");
            }
        });
        closeAfter.add(raw);
        EventLoopClient client = client(raw.origin(), Duration.ofMillis(300), 2);

        long start = System.nanoTime();
        assertThat(failure(client.send("GET", "/slow", Headers.empty()))).isInstanceOf(SocketTimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(250),
                Duration.ofSeconds(3));
        assertThat(silentClosed.await(5, TimeUnit.SECONDS)).as("timed-out connection closed").isTrue();
        assertThat(get(client, "/next").body().text()).isEqualTo("later");
        assertThat(raw.accepted()).isEqualTo(2);
    }

    @Test
    void anEndlessFloodOfInterimAnswersFailsTheRequestInsteadOfHoldingTheIoThread() throws Exception {
        byte[] flood = "HTTP/1.1 100 Continue\r\n\r\n".repeat(40_000).getBytes(StandardCharsets.US_ASCII);
        EventLoopRawUpstream raw = new EventLoopRawUpstream((index, socket) -> {
            EventLoopRawUpstream.readHead(socket.getInputStream());
            while (true) { // interim answers as fast as the socket takes them, never a final one
                socket.getOutputStream().write(flood);
            }
        });
        closeAfter.add(raw);
        EventLoopClient client = client(raw.origin(), Duration.ofMillis(300), 2);

        CompletableFuture<Response> answer = client.send("GET", "/flood", Headers.empty());
        Throwable failure = null;
        try {
            answer.get(20, TimeUnit.SECONDS); // without a bound the I/O thread parses interim answers for good
        } catch (java.util.concurrent.ExecutionException e) {
            failure = e.getCause();
        }
        assertThat(failure).isInstanceOf(SocketTimeoutException.class); // interim answers do not reset the clock
    }

    @Test
    void theReadTimeoutCountsFromEachRequestOnAReusedConnection() throws Exception {
        EventLoopRawUpstream raw = new EventLoopRawUpstream((index, socket) -> {
            InputStream in = socket.getInputStream();
            EventLoopRawUpstream.readHead(in);
            EventLoopRawUpstream.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst");
            EventLoopRawUpstream.readHead(in); // the second request is never answered
            in.read();
        });
        closeAfter.add(raw);
        EventLoopClient client = client(raw.origin(), Duration.ofMillis(400), 1);

        assertThat(get(client, "/first").body().text()).isEqualTo("first");
        // Let part of the first request's timeout pass: the connection's one timer, armed for the first
        // request, fires while the second waits and must then re-arm, not time the second out early.
        LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
        long start = System.nanoTime();
        assertThat(failure(client.send("GET", "/second", Headers.empty()))).isInstanceOf(SocketTimeoutException.class)
                .hasMessageContaining("within 400 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(350),
                Duration.ofSeconds(3));
        assertThat(raw.accepted()).isEqualTo(1);
    }

    @Test
    void anAnswerSayingConnectionCloseIsNotReused() throws Exception {
        EventLoopRawUpstream raw = new EventLoopRawUpstream((index, socket) -> {
            InputStream in = socket.getInputStream();
            while (EventLoopRawUpstream.readHead(in) != null) {
                EventLoopRawUpstream.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n"
                        + "\r\n#" + index);
            }
        });
        closeAfter.add(raw);
        EventLoopClient client = client(raw.origin(), Duration.ofSeconds(5), 1);

        for (int i = 0; i < 3; i++) {
            Response response = get(client, "/" + i);
            assertThat(response.body().text()).isEqualTo("#" + i);
            assertThat(response.headers().contains("Connection")).isFalse();
        }
        assertThat(raw.accepted()).isEqualTo(3);
    }

    @Test
    void anIdleConnectionTheUpstreamClosedDoesNotFailTheNextRequest() throws Exception {
        CountDownLatch firstClosed = new CountDownLatch(1);
        EventLoopRawUpstream raw = new EventLoopRawUpstream((index, socket) -> {
            InputStream in = socket.getInputStream();
            while (EventLoopRawUpstream.readHead(in) != null) {
                EventLoopRawUpstream.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n#" + index);
                if (index == 0) { // an idle timeout right after answering, without saying Connection: close
                    socket.close();
                    firstClosed.countDown();
                    return;
                }
            }
        });
        closeAfter.add(raw);
        EventLoopClient client = client(raw.origin(), Duration.ofSeconds(5), 1);

        assertThat(get(client, "/a").body().text()).isEqualTo("#0");
        assertThat(firstClosed.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(get(client, "/b").body().text()).isEqualTo("#1");
        assertThat(raw.accepted()).isEqualTo(2);
    }

    @Test
    void aRequestOnAPooledConnectionClosedBeforeAnyAnswerIsResentOnceOnAFreshOne() throws Exception {
        EventLoopRawUpstream raw = new EventLoopRawUpstream((index, socket) -> {
            InputStream in = socket.getInputStream();
            EventLoopRawUpstream.readHead(in);
            EventLoopRawUpstream.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n#" + index);
            if (index == 0) { // the idle-timeout race: the next request arrives as the upstream hangs up
                EventLoopRawUpstream.readHead(in);
                socket.close();
                return;
            }
            while (EventLoopRawUpstream.readHead(in) != null) {
                EventLoopRawUpstream.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n#" + index);
            }
        });
        closeAfter.add(raw);
        EventLoopClient client = client(raw.origin(), Duration.ofSeconds(5), 1);

        assertThat(get(client, "/a").body().text()).isEqualTo("#0");
        assertThat(get(client, "/b").body().text()).isEqualTo("#1");
        assertThat(raw.accepted()).isEqualTo(2);
    }

    @Test
    void aNonIdempotentRequestIsNotResentWhenThePooledConnectionDies() throws Exception {
        EventLoopRawUpstream raw = new EventLoopRawUpstream((index, socket) -> {
            InputStream in = socket.getInputStream();
            EventLoopRawUpstream.readHead(in);
            EventLoopRawUpstream.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n#" + index);
            EventLoopRawUpstream.readHead(in); // the upstream may have acted on it before dying
            socket.close();
        });
        closeAfter.add(raw);
        EventLoopClient client = client(raw.origin(), Duration.ofSeconds(5), 1);

        assertThat(get(client, "/a").body().text()).isEqualTo("#0");
        assertThat(failure(client.send("POST", "/$expunge", Headers.empty()))).isInstanceOf(IOException.class);
        assertThat(raw.accepted()).isEqualTo(1);
    }

    @Test
    void aSmallBodyArrivingInPiecesIsAssembledAndOneCutShortFails() throws Exception {
        CountDownLatch halfSent = new CountDownLatch(1);
        CountDownLatch sendRest = new CountDownLatch(1);
        EventLoopRawUpstream raw = new EventLoopRawUpstream((index, socket) -> {
            EventLoopRawUpstream.readHead(socket.getInputStream());
            EventLoopRawUpstream.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nfirst");
            halfSent.countDown();
            try {
                sendRest.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            EventLoopRawUpstream.write(socket, "-half");
            EventLoopRawUpstream.readHead(socket.getInputStream());
        });
        closeAfter.add(raw);
        EventLoopClient client = client(raw.origin(), Duration.ofSeconds(5), 1);

        CompletableFuture<Response> pieces = client.send("GET", "/pieces", Headers.empty());
        assertThat(halfSent.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(pieces).isNotDone(); // it cannot be: half the declared body is still missing
        sendRest.countDown();
        assertThat(pieces.get(5, TimeUnit.SECONDS).body().text()).isEqualTo("first-half");

        // a small body the upstream cuts short by closing fails the request, never arrives short
        EventLoopRawUpstream cut = new EventLoopRawUpstream((index, socket) -> {
            EventLoopRawUpstream.readHead(socket.getInputStream());
            EventLoopRawUpstream.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly this");
            socket.close();
        });
        closeAfter.add(cut);
        assertThat(failure(client(cut.origin(), Duration.ofSeconds(5), 1).send("GET", "/cut", Headers.empty())))
                .isInstanceOf(IOException.class);
    }

    @Test
    void anUpstreamClosingMidBodyFailsTheStreamRead() throws Exception {
        EventLoopRawUpstream raw = new EventLoopRawUpstream((index, socket) -> {
            EventLoopRawUpstream.readHead(socket.getInputStream());
            EventLoopRawUpstream.write(socket, index == 0
                    ? "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n"
                    : "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2710\r\n");
            socket.getOutputStream().write(new byte[10_000]);
            socket.close();
        });
        closeAfter.add(raw);
        EventLoopClient client = client(raw.origin(), Duration.ofSeconds(5), 1);

        for (String kind : List.of("content-length", "chunked")) {
            Body body = get(client, "/" + kind).body();
            assertThatThrownBy(() -> {
                try (InputStream in = body.stream()) {
                    in.transferTo(OutputStream.nullOutputStream());
                }
            }).as(kind).isInstanceOf(IOException.class);
        }
    }

    @Test
    void aBodyDelimitedOnlyByTheConnectionCloseIsNeverASilentlyEmptyBody() throws Exception {
        EventLoopRawUpstream raw = new EventLoopRawUpstream((index, socket) -> {
            EventLoopRawUpstream.readHead(socket.getInputStream());
            EventLoopRawUpstream.write(socket, switch (index) {
                case 0 -> "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nread me to the end";
                case 1 -> "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nConnection: close\r\n\r\nread me too";
                default -> "HTTP/1.0 200 OK\r\n\r\nread me to the end too";
            });
            socket.close();
        });
        closeAfter.add(raw);
        EventLoopClient client = client(raw.origin(), Duration.ofSeconds(5), 1);

        // Undertow's client would read HTTP/1.1 without a length as empty: refused, not passed on short
        assertThat(failure(client.send("GET", "/1.1", Headers.empty()))).isInstanceOf(IOException.class)
                .hasMessageContaining("without Content-Length");
        assertThat(failure(client.send("GET", "/1.1-gzip", Headers.empty()))).isInstanceOf(IOException.class)
                .hasMessageContaining("without Content-Length");
        assertThat(get(client, "/1.0").body().text()).isEqualTo("read me to the end too");
    }

    @Test
    void aRequestQueuedBehindBusyConnectionsWaitsNoLongerThanTheConnectTimeout() throws Exception {
        EventLoopRawUpstream raw = new EventLoopRawUpstream((index, socket) -> {
            EventLoopRawUpstream.readHead(socket.getInputStream());
            socket.getInputStream().read(); // holds the only connection busy until the client hangs up
        });
        closeAfter.add(raw);
        EventLoopClient client = new EventLoopClient(raw.origin(), Duration.ofMillis(300), Duration.ofSeconds(30), 1);
        closeAfter.add(0, client);

        CompletableFuture<Response> busy = client.send("GET", "/busy", Headers.empty());
        long start = System.nanoTime();
        assertThat(failure(client.send("GET", "/queued", Headers.empty())))
                .isInstanceOf(SocketTimeoutException.class).hasMessageContaining("free within");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(250),
                Duration.ofSeconds(3));
        assertThat(busy).isNotDone();
    }

    @Test
    void beyondTheQueueLimitRequestsFailRightAway() throws Exception {
        EventLoopRawUpstream raw = new EventLoopRawUpstream((index, socket) -> {
            EventLoopRawUpstream.readHead(socket.getInputStream());
            socket.getInputStream().read(); // holds the only connection busy until the client hangs up
        });
        closeAfter.add(raw);
        EventLoopClient client = client(raw.origin(), Duration.ofSeconds(30), 1);

        List<CompletableFuture<Response>> queued = new ArrayList<>();
        for (int i = 0; i <= EventLoopClient.MAX_QUEUED; i++) {
            queued.add(client.send("GET", "/" + i, Headers.empty()));
        }
        Throwable refused = failure(client.send("GET", "/one-too-many", Headers.empty()));
        assertThat(refused).isInstanceOf(IOException.class).hasMessageContaining("too many queued requests");
        assertThat(queued).noneMatch(CompletableFuture::isDone);

        client.close();
        assertThat(failure(queued.get(EventLoopClient.MAX_QUEUED))).hasMessageContaining("closed");
    }
}
