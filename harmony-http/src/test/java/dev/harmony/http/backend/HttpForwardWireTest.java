package dev.harmony.http.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.http.Loopback;
import dev.harmony.http.frontend.HttpIngress;
import dev.harmony.http.internal.client.EventLoopRawUpstream;
import dev.harmony.pipeline.Pipeline;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The one upstream client on the wire, behind a real ingress, with raw-socket peers on both sides:
 * every hostile case runs for a request without a body (GET) and with one (POST).
 */
class HttpForwardWireTest {
    private static final List<String> METHODS = List.of("GET", "POST");
    private final List<AutoCloseable> open = new ArrayList<>();
    private HttpIngress ingress;

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private int proxy(URI upstream, UnaryOperator<HttpIngress.Builder> ingressOptions,
            UnaryOperator<HttpForward.Builder> forwardOptions) {
        ingress = ingressOptions.apply(HttpIngress.port(0).bind("127.0.0.1").prefix("/fhir")).build();
        Pipeline p = Pipeline.builder().name("wire").frontend(ingress)
                .backend(forwardOptions.apply(HttpForward.to(upstream).readTimeout(Duration.ofSeconds(5))).build()).build();
        p.start();
        open.add(p);
        return ingress.port();
    }

    private int proxy(URI upstream) {
        return proxy(upstream, b -> b, f -> f);
    }

    private EventLoopRawUpstream upstream(EventLoopRawUpstream.Script script) throws IOException {
        EventLoopRawUpstream raw = new EventLoopRawUpstream(script);
        open.add(raw);
        return raw;
    }

    // --- the raw peers' side of HTTP/1.1 ---

    /** One request or answer as read off a socket. */
    record Message(String head, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).strip();
                }
            }
            return null;
        }

        int status() {
            return Integer.parseInt(head.substring(9, 12));
        }
    }

    /** Reads a head and the body its framing declares; EOFException if the peer ends it early. */
    static Message read(InputStream in, boolean response, String method) throws IOException {
        String head = EventLoopRawUpstream.readHead(in);
        if (head == null) {
            return null;
        }
        Message m = new Message(head, new byte[0]);
        if (response && (m.status() < 200 || m.status() == 204 || m.status() == 304 || "HEAD".equals(method))) {
            return m;
        }
        String length = m.header("Content-Length");
        if ("chunked".equalsIgnoreCase(m.header("Transfer-Encoding"))) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                int size = Integer.parseInt(line(in).strip(), 16);
                if (size == 0) {
                    line(in);
                    return new Message(head, body.toByteArray());
                }
                body.write(exactly(in, size));
                line(in);
            }
        }
        return new Message(head, length == null ? new byte[0] : exactly(in, Integer.parseInt(length)));
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c == -1) {
                throw new EOFException("ended within a line");
            }
            b.append((char) c);
        }
        return b.toString().strip();
    }

    private static byte[] exactly(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new EOFException("ended after " + b.length + " of " + n + " bytes");
        }
        return b;
    }

    /** Everything until the peer closes (or resets) the connection; the reset is reported as the end. */
    private static byte[] untilClosed(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; (n = in.read(buf)) != -1; ) {
                all.write(buf, 0, n);
            }
        } catch (SocketException reset) {
            // a reset ends it as well
        }
        return all.toByteArray();
    }

    private static Socket client(int port) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(10_000); // a bound on every wait: a hang fails the test instead of stalling it
        return s;
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
    }

    private static String request(String method, String path, String body) {
        return method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + (method.equals("GET") ? "" : "Content-Type: application/json\r\nContent-Length: "
                        + body.getBytes(StandardCharsets.UTF_8).length + "\r\n")
                + "\r\n" + (method.equals("GET") ? "" : body);
    }

    /** One request on a fresh client connection, its answer read by its framing. */
    private static Message call(int port, String method, String path, String body) throws IOException {
        try (Socket s = client(port)) {
            send(s, request(method, path, body));
            return read(new BufferedInputStream(s.getInputStream()), true, method);
        }
    }

    /** An upstream that answers every request on every connection with {@code answer(request)}. */
    private EventLoopRawUpstream answering(BlockingQueue<Message> seen, String body) throws IOException {
        return upstream((index, socket) -> {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            Message m;
            while ((m = read(in, false, null)) != null) {
                seen.add(m);
                EventLoopRawUpstream.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n"
                        + body);
            }
        });
    }

    // --- the tests ---

    @Test
    void bodiesReachTheUpstreamWithTheirOwnFramingAndExpectStaysOnTheClientHop() throws Exception {
        BlockingQueue<Message> seen = new LinkedBlockingQueue<>();
        int port = proxy(answering(seen, "ok").origin());
        String small = "{\"resourceType\":\"Patient\",\"id\":\"" + "x".repeat(2000) + "\"}";
        byte[] big = Pattern.bytes(0, 300_000);

        HttpResponse<String> posted = Loopback.send(Loopback.request(port, "/fhir/Patient")
                .header("Content-Type", "application/fhir+json").POST(HttpRequest.BodyPublishers.ofString(small)).build());
        assertThat(posted.statusCode()).isEqualTo(200);
        Message up = seen.poll(10, TimeUnit.SECONDS);
        assertThat(up.head()).startsWith("POST /Patient HTTP/1.1\r\n");
        assertThat(up.header("Content-Length")).isEqualTo(Integer.toString(small.length()));
        assertThat(up.header("Content-Type")).isEqualTo("application/fhir+json");
        assertThat(up.text()).isEqualTo(small);

        HttpResponse<String> bigPut = Loopback.send(Loopback.request(port, "/fhir/Binary/1")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(big)).build());
        assertThat(bigPut.statusCode()).isEqualTo(200);
        up = seen.poll(10, TimeUnit.SECONDS);
        assertThat(up.header("Content-Length")).isEqualTo("300000");
        assertThat(up.body()).isEqualTo(big);

        // no length from the client: chunked to the upstream as well
        HttpResponse<String> chunked = Loopback.send(Loopback.request(port, "/fhir/Binary")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))).build());
        assertThat(chunked.statusCode()).isEqualTo(200);
        up = seen.poll(10, TimeUnit.SECONDS);
        assertThat(up.header("Transfer-Encoding")).isEqualTo("chunked");
        assertThat(up.header("Content-Length")).isNull();
        assertThat(up.body()).isEqualTo(big);

        // Expect: 100-continue is answered by the ingress and not passed on
        try (Socket s = client(port)) {
            send(s, "POST /fhir/Patient HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\nContent-Length: "
                    + small.length() + "\r\n\r\n");
            InputStream in = new BufferedInputStream(s.getInputStream());
            assertThat(EventLoopRawUpstream.readHead(in)).startsWith("HTTP/1.1 100 ");
            send(s, small);
            assertThat(read(in, true, "POST").status()).isEqualTo(200);
        }
        up = seen.poll(10, TimeUnit.SECONDS);
        assertThat(up.header("Expect")).isNull();
        assertThat(up.text()).isEqualTo(small);

        // a body-less POST still says Content-Length: 0 (servers answer 411 to one without framing)
        assertThat(call(port, "POST", "/fhir/$everything", "").status()).isEqualTo(200);
        assertThat(seen.poll(10, TimeUnit.SECONDS).header("Content-Length")).isEqualTo("0");
    }

    @Test
    void expect100ContinueWorksEndToEndWhetherOrNotTheUpstreamSendsOne() throws Exception {
        for (boolean upstreamSends100 : List.of(true, false)) {
            EventLoopRawUpstream raw = upstream((index, socket) -> {
                InputStream in = new BufferedInputStream(socket.getInputStream());
                String head;
                while ((head = EventLoopRawUpstream.readHead(in)) != null) {
                    if (upstreamSends100) {
                        EventLoopRawUpstream.write(socket, "HTTP/1.1 100 Continue\r\n\r\n");
                    }
                    Message m = new Message(head, new byte[0]);
                    int n = exactly(in, Integer.parseInt(m.header("Content-Length"))).length;
                    EventLoopRawUpstream.write(socket, "HTTP/1.1 201 Created\r\nContent-Length: " + (n + "").length()
                            + "\r\n\r\n" + n);
                }
            });
            int port = proxy(raw.origin());
            String body = "{\"a\":\"" + "y".repeat(3000) + "\"}";
            try (Socket s = client(port)) {
                send(s, "POST /fhir/Observation HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n"
                        + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n");
                InputStream in = new BufferedInputStream(s.getInputStream());
                assertThat(EventLoopRawUpstream.readHead(in)).as("upstream sends 100: " + upstreamSends100)
                        .startsWith("HTTP/1.1 100 Continue");
                send(s, body);
                Message answer = read(in, true, "POST");
                assertThat(answer.status()).isEqualTo(201); // the upstream's own 100 is not passed on as an answer
                assertThat(answer.text()).isEqualTo(Integer.toString(body.length()));
            }
            // curl waits for the 100 before it sends the body; --max-time fails it if none comes
            java.nio.file.Path file = java.nio.file.Files.createTempFile("expect", ".json");
            java.nio.file.Files.writeString(file, body);
            Process curl = new ProcessBuilder("curl", "-sS", "--max-time", "8", "--expect100-timeout", "30",
                    "-H", "Expect: 100-continue", "-H", "Content-Type: application/json",
                    "--data-binary", "@" + file, "-w", " %{http_code}", "http://127.0.0.1:" + port + "/fhir/Observation")
                    .redirectErrorStream(true).start();
            assertThat(curl.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo(body.length() + " 201");
            java.nio.file.Files.delete(file);
            closeAll();
            open.clear();
        }
    }

    @Test
    void surplusUpstreamBytesNeverReachAnotherClient() throws Exception {
        for (String method : METHODS) {
            CountDownLatch clientHasSecond = new CountDownLatch(1);
            CountDownLatch surplusConnectionClosed = new CountDownLatch(1);
            EventLoopRawUpstream raw = upstream((index, socket) -> {
                InputStream in = new BufferedInputStream(socket.getInputStream());
                if (read(in, false, null) == null) {
                    return;
                }
                if (index == 0) { // an answer and a second one nobody asked for, in one write
                    EventLoopRawUpstream.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst"
                            + "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecret");
                } else if (index == 1) { // an answer, then, once the client has it, a surplus one on the idle connection
                    EventLoopRawUpstream.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecond");
                    try {
                        clientHasSecond.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        return;
                    }
                    EventLoopRawUpstream.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecret");
                    try {
                        if (in.read() == -1) {
                            surplusConnectionClosed.countDown(); // the proxy dropped the connection
                        }
                    } catch (SocketException reset) { // dropped with "secret" unread: a reset
                        surplusConnectionClosed.countDown();
                    }
                    return;
                }
                do {
                    EventLoopRawUpstream.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfresh");
                } while (read(in, false, null) != null);
            });
            // one IO thread: one pool, so every request could be offered the tainted connection
            int port = proxy(raw.origin(), b -> b.ioThreads(1), f -> f);
            assertThat(call(port, method, "/fhir/a", "{\"n\":1}").text()).isEqualTo("first");
            assertThat(call(port, method, "/fhir/b", "{\"n\":2}").text()).as(method).isEqualTo("second");
            clientHasSecond.countDown();
            assertThat(surplusConnectionClosed.await(10, TimeUnit.SECONDS)).as(method).isTrue();
            for (int i = 0; i < 3; i++) {
                assertThat(call(port, method, "/fhir/c", "{\"n\":3}").text()).as(method).isEqualTo("fresh");
            }
            // the two tainted connections were replaced (a clean one may be replaced too, say after a resend)
            assertThat(raw.accepted()).as(method + " connections").isGreaterThanOrEqualTo(3);
            closeAll();
            open.clear();
        }
    }

    @Test
    void aStaleKeepAliveConnectionGivesAFreshConnectionOrA502NeverA500() throws Exception {
        BlockingQueue<Message> seen = new LinkedBlockingQueue<>();
        // connection 0 answers once and then reads the next request and hangs up without answering
        EventLoopRawUpstream raw = upstream((index, socket) -> {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            Message m;
            while ((m = read(in, false, null)) != null) {
                seen.add(m);
                if (index == 0 && seen.size() > 1) {
                    socket.close();
                    return;
                }
                EventLoopRawUpstream.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
        });
        int port = proxy(raw.origin(), b -> b.ioThreads(1), f -> f);
        assertThat(call(port, "POST", "/fhir/Patient", "{\"n\":1}").status()).isEqualTo(200);
        // the upstream may have acted on this POST: it is not resent, the client gets a clean 502
        Message second = call(port, "POST", "/fhir/Patient", "{\"n\":2}");
        assertThat(second.status()).isEqualTo(502);
        assertThat(second.text()).contains("UPSTREAM_UNAVAILABLE");
        assertThat(raw.accepted()).isEqualTo(1);
        assertThat(seen).hasSize(2);
        seen.clear();

        // a GET that dies the same way is resent once on a fresh connection
        EventLoopRawUpstream again = upstream((index, socket) -> {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            int answered = 0;
            while (read(in, false, null) != null) {
                if (index == 0 && answered == 1) {
                    socket.close();
                    return;
                }
                answered++;
                EventLoopRawUpstream.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
        });
        int port2 = proxy(again.origin(), b -> b.ioThreads(1), f -> f);
        assertThat(call(port2, "GET", "/fhir/Patient/1", "").status()).isEqualTo(200);
        assertThat(call(port2, "GET", "/fhir/Patient/1", "").status()).isEqualTo(200);
        assertThat(again.accepted()).isEqualTo(2);

        // the upstream closes idle connections right after answering: the next POST goes out on a fresh one
        EventLoopRawUpstream closing = upstream((index, socket) -> {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            if (read(in, false, null) != null) {
                EventLoopRawUpstream.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                socket.close();
            }
        });
        int port3 = proxy(closing.origin(), b -> b.ioThreads(1), f -> f);
        for (int i = 0; i < 5; i++) {
            assertThat(call(port3, "POST", "/fhir/Patient", "{\"n\":" + i + "}").status()).isIn(200, 502);
        }
    }

    @Test
    void truncatedUpstreamBodiesEndTheClientConnectionInsteadOfCompletingTheAnswer() throws Exception {
        EventLoopRawUpstream raw = upstream((index, socket) -> {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            Message m = read(in, false, null);
            if (m == null) {
                return;
            }
            String path = m.head().split(" ")[1];
            if (path.startsWith("/chunked")) {
                EventLoopRawUpstream.write(socket, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\n");
            } else if (path.startsWith("/badchunk")) {
                EventLoopRawUpstream.write(socket, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\nzz\r\nworld\r\n0\r\n\r\n");
            } else if (path.startsWith("/long")) {
                EventLoopRawUpstream.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 200000\r\n\r\n"
                        + "z".repeat(100_000));
            } else {
                EventLoopRawUpstream.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten..");
            }
            socket.close();
        });
        int port = proxy(raw.origin());
        for (String method : METHODS) {
            for (String path : List.of("/fhir/chunked", "/fhir/badchunk")) { // cut short, or a bad chunk size
                try (Socket s = client(port)) {
                    send(s, request(method, path, "{}"));
                    InputStream in = new BufferedInputStream(s.getInputStream());
                    String head = EventLoopRawUpstream.readHead(in);
                    assertThat(head).startsWith("HTTP/1.1 200");
                    String rest = new String(untilClosed(in), StandardCharsets.ISO_8859_1);
                    assertThat(rest).as(method + " " + path).contains("hello").doesNotContain("0\r\n\r\n")
                            .doesNotContain("world");
                }
            }
            try (Socket s = client(port)) {
                send(s, request(method, "/fhir/long", "{}"));
                InputStream in = new BufferedInputStream(s.getInputStream());
                Message head = new Message(EventLoopRawUpstream.readHead(in), new byte[0]);
                assertThat(head.header("Content-Length")).isEqualTo("200000");
                assertThat(untilClosed(in).length).as(method).isLessThan(200_000);
            }
            // a small answer is read whole before it is passed on: cut short, it is a clean 502
            Message small = call(port, method, "/fhir/small", "{}");
            assertThat(small.status()).isEqualTo(502);
        }
    }

    @Test
    void malformedUpstreamAnswersAre502WithoutUpstreamDetailsAndInterimAnswersAreSkipped() throws Exception {
        List<String> bad = List.of(
                "HTTP/1.1 2OO OK\r\nContent-Length: 0\r\n\r\n",
                "garbage\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
                "HTTP/1.1 200 OK\r\nX-Bad\nheader: 1\r\n\r\n",
                "HTTP/1.1 200 OK\r\n folded: header\r\n\r\n",
                "HTTP/1.1 200 OK\r\n\r\nbody until close",
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
                "\u0000\u0001\u0002\r\n\r\n");
        BlockingQueue<String> script = new LinkedBlockingQueue<>();
        EventLoopRawUpstream raw = upstream((index, socket) -> {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            while (read(in, false, null) != null) {
                String answer;
                try {
                    answer = script.take();
                } catch (InterruptedException e) {
                    return;
                }
                EventLoopRawUpstream.write(socket, answer);
                if (!answer.startsWith("HTTP/1.1 10") && !answer.contains("fine")) {
                    socket.close();
                    return;
                }
            }
        });
        int port = proxy(raw.origin());
        String upstreamPort = Integer.toString(raw.origin().getPort());
        for (String method : METHODS) {
            for (String answer : bad) {
                script.add(answer);
                Message m = call(port, method, "/fhir/Patient", "{\"resourceType\":\"Patient\"}");
                assertThat(m.status()).as(method + " " + answer).isEqualTo(502);
                assertThat(m.text()).contains("UPSTREAM_UNAVAILABLE").doesNotContain(upstreamPort)
                        .doesNotContain("127.0.0.1").doesNotContainIgnoringCase("exception")
                        .doesNotContain("upstream sent");
            }
            script.add("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                    + "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nfine");
            Message fine = call(port, method, "/fhir/Patient", "{}");
            assertThat(fine.status()).isEqualTo(200);
            assertThat(fine.text()).isEqualTo("fine");
            assertThat(fine.header("Link")).isNull();
        }
    }

    @Test
    void stalledUploadsHoldNoThreadAndAreCutOffAfterTheBodyTimeout() throws Exception {
        BlockingQueue<Message> seen = new LinkedBlockingQueue<>();
        int port = proxy(answering(seen, "done").origin(),
                b -> b.bodyTimeout(Duration.ofSeconds(1)).maxConcurrentUploads(200).workerThreads(2), f -> f);
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) {
                Socket s = client(port);
                stalled.add(s);
                // half of them a small declared body (collected before sending), half chunked (streamed)
                send(s, i % 2 == 0
                        ? "POST /fhir/Patient HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"a\":"
                        : "POST /fhir/Patient HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n");
            }
            HttpResponse<String> normal = Loopback.send(Loopback.request(port, "/fhir/Patient")
                    .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString("{\"ok\":true}")).build());
            assertThat(normal.statusCode()).isEqualTo(200);
            assertThat(normal.body()).isEqualTo("done");
            for (int i = 0; i < stalled.size(); i++) {
                // each is answered (400 REQUEST_BODY_TIMEOUT) and closed; soTimeout bounds the wait
                String rest = new String(untilClosed(stalled.get(i).getInputStream()), StandardCharsets.ISO_8859_1);
                assertThat(rest).as("stalled upload " + i).startsWith("HTTP/1.1 400").contains("REQUEST_BODY_TIMEOUT");
            }
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
        // the upstream got the normal POST whole, and from the stalled ones never a complete request
        Message normal = seen.poll(5, TimeUnit.SECONDS);
        assertThat(normal.text()).isEqualTo("{\"ok\":true}");
        assertThat(seen).isEmpty();
    }

    @Test
    void uploadsBeyondTheBoundAre503WithRetryAfterAndFreedWhenTheirClientsGo() throws Exception {
        BlockingQueue<Message> seen = new LinkedBlockingQueue<>();
        int port = proxy(answering(seen, "done").origin(), b -> b.maxConcurrentUploads(2), f -> f);
        List<Socket> stalled = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Socket s = client(port);
            stalled.add(s);
            send(s, "POST /fhir/Patient HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{");
        }
        Message refused = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // a bound on a loaded machine, not a timing
        while (refused == null && System.nanoTime() < deadline) { // until the ingress has both
            Message m = call(port, "POST", "/fhir/Patient", "{}");
            refused = m.status() == 503 ? m : null;
        }
        assertThat(refused).isNotNull();
        assertThat(refused.header("Retry-After")).isEqualTo("1");
        assertThat(refused.text()).contains("too many uploads");
        assertThat(call(port, "GET", "/fhir/Patient", "").status()).isEqualTo(200); // no body: not bounded
        for (Socket s : stalled) {
            s.close();
        }
        Message after = null;
        long freed = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((after == null || after.status() != 200) && System.nanoTime() < freed) {
            after = call(port, "POST", "/fhir/Patient", "{}");
        }
        assertThat(after.status()).isEqualTo(200);
    }

    @Test
    void aClientBodyCutShortNeverReachesTheUpstreamAsComplete() throws Exception {
        BlockingQueue<String> upstreamSaw = new LinkedBlockingQueue<>();
        EventLoopRawUpstream raw = upstream((index, socket) -> {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String head = EventLoopRawUpstream.readHead(in);
            if (head != null) {
                byte[] rest = untilClosed(in);
                upstreamSaw.add(head + new String(rest, StandardCharsets.ISO_8859_1));
            }
        });
        int port = proxy(raw.origin());
        try (Socket s = client(port)) {
            send(s, "POST /fhir/Binary HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n" + "b".repeat(100_000));
        } // closed with half the body sent
        String declared = upstreamSaw.poll(10, TimeUnit.SECONDS);
        assertThat(declared).contains("Content-Length: 200000");
        assertThat(declared.length() - declared.indexOf("\r\n\r\n") - 4).isLessThan(200_000);

        try (Socket s = client(port)) {
            send(s, "POST /fhir/Binary HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "10000\r\n" + "c".repeat(0x10000) + "\r\n" + "10000\r\n" + "c".repeat(0x8000));
        }
        String chunked = upstreamSaw.poll(10, TimeUnit.SECONDS);
        assertThat(chunked).contains("Transfer-Encoding: chunked").doesNotEndWith("0\r\n\r\n");

        // the client half-closes after part of its body and waits: it is told its body was incomplete
        for (int length : List.of(1000, 300_000)) { // collected first, or streamed
            try (Socket s = client(port)) {
                send(s, "POST /fhir/Binary HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + "\r\n\r\n"
                        + "e".repeat(length / 2));
                s.shutdownOutput();
                String answer = new String(untilClosed(s.getInputStream()), StandardCharsets.ISO_8859_1);
                assertThat(answer).as("declared " + length).startsWith("HTTP/1.1 400")
                        .contains("REQUEST_BODY_INCOMPLETE");
            }
        }
        String half = upstreamSaw.poll(10, TimeUnit.SECONDS); // the streamed one reached the upstream in part
        assertThat(half).contains("Content-Length: 300000");
        assertThat(half.length() - half.indexOf("\r\n\r\n") - 4).isLessThan(300_000);

        // hostile chunk framing from the client: refused, and the upstream never sees a complete body
        try (Socket s = client(port)) {
            send(s, "POST /fhir/Binary HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "10000\r\n" + "d".repeat(0x10000) + "\r\nzz\r\nhostile\r\n0\r\n\r\n");
            String answer = new String(untilClosed(s.getInputStream()), StandardCharsets.ISO_8859_1);
            assertThat(answer).doesNotStartWith("HTTP/1.1 2");
        }
        String hostile = upstreamSaw.poll(10, TimeUnit.SECONDS);
        assertThat(hostile).doesNotContain("hostile").doesNotEndWith("0\r\n\r\n");
    }

    @Test
    void aSilentOrTricklingUpstreamIsA504OrAnAnswerOnBothMethods() throws Exception {
        EventLoopRawUpstream raw = upstream((index, socket) -> {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            Message m;
            while ((m = read(in, false, null)) != null) {
                if (m.head().contains(" /silent ")) {
                    untilClosed(in); // never answers
                    return;
                }
                for (byte b : "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\ntrickle".getBytes(StandardCharsets.US_ASCII)) {
                    socket.getOutputStream().write(b); // one byte per write: the proxy reassembles the answer
                    socket.getOutputStream().flush();
                }
            }
        });
        int port = proxy(raw.origin(), b -> b, f -> f.readTimeout(Duration.ofMillis(500)));
        for (String method : METHODS) {
            Message silent = call(port, method, "/fhir/silent", "{\"wait\":true}");
            assertThat(silent.status()).as(method).isEqualTo(504);
            assertThat(silent.text()).contains("UPSTREAM_TIMEOUT").doesNotContain("127.0.0.1");
            Message trickled = call(port, method, "/fhir/trickle", "{}");
            assertThat(trickled.status()).isEqualTo(200);
            assertThat(trickled.text()).isEqualTo("trickle");
        }
    }

    @Test
    void anEarlyUpstreamAnswerStopsTheUploadAndTheConnectionIsNotReused() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        EventLoopRawUpstream raw = upstream((index, socket) -> {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            while (EventLoopRawUpstream.readHead(in) != null) {
                EventLoopRawUpstream.write(socket, "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 3\r\n\r\nbig");
                if (index == 0) { // answers at once and reads no more: the upload can never be all sent
                    try {
                        done.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        return;
                    }
                    return;
                }
            }
        });
        int port = proxy(raw.origin(), b -> b.ioThreads(1).maxBodySize(64L * 1024 * 1024), f -> f);
        try {
            HttpResponse<String> r = Loopback.send(Loopback.request(port, "/fhir/Binary")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(Pattern.bytes(0, 32 * 1024 * 1024))).build());
            assertThat(r.statusCode()).isEqualTo(413);
            assertThat(r.body()).isEqualTo("big");
            // the half-sent connection is dropped, not offered to the next request
            assertThat(call(port, "GET", "/fhir/x", "").status()).isEqualTo(413);
            assertThat(raw.accepted()).isEqualTo(2);
        } finally {
            done.countDown();
        }
    }

    @Test
    void pathsAreEncodedOnceRawUtf8IncludedAndFragmentsAreNeverForwarded() throws Exception {
        BlockingQueue<Message> seen = new LinkedBlockingQueue<>();
        int port = proxy(answering(seen, "ok").origin());
        try (Socket s = client(port)) {
            s.getOutputStream().write(("GET /fhir/Patient/Zo\u00eb%20A/_history?name=Jos\u00e9&x=%2F|y#frag HTTP/1.1\r\n"
                    + "Host: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            assertThat(read(new BufferedInputStream(s.getInputStream()), true, "GET").status()).isEqualTo(200);
        }
        String line = seen.poll(10, TimeUnit.SECONDS).head().lines().findFirst().orElseThrow();
        assertThat(line).isEqualTo("GET /Patient/Zo%C3%AB%20A/_history?name=Jos%C3%A9&x=%2F%7Cy HTTP/1.1");
    }

    @Test
    void slowAndHostileClientBytesAreHandledOnBothMethods() throws Exception {
        BlockingQueue<Message> seen = new LinkedBlockingQueue<>();
        int port = proxy(answering(seen, "ok").origin());
        for (String method : METHODS) {
            // byte by byte, flushing each: the request still arrives whole
            try (Socket s = client(port)) {
                s.setTcpNoDelay(true);
                OutputStream out = s.getOutputStream();
                for (byte b : request(method, "/fhir/slow", "{\"slow\":true}").getBytes(StandardCharsets.UTF_8)) {
                    out.write(b);
                    out.flush();
                }
                assertThat(read(new BufferedInputStream(s.getInputStream()), true, method).status()).isEqualTo(200);
            }
            Message up = seen.poll(10, TimeUnit.SECONDS);
            assertThat(up.head()).startsWith(method + " /slow ");
            if (method.equals("POST")) {
                assertThat(up.text()).isEqualTo("{\"slow\":true}");
            }
            // a header value with a bare CR never reaches the upstream as a second header line
            try (Socket s = client(port)) {
                send(s, method + " /fhir/evil HTTP/1.1\r\nHost: x\r\nX-A: 1\rX-Injected: 2\r\n"
                        + (method.equals("POST") ? "Content-Length: 2\r\n\r\n{}" : "\r\n"));
                byte[] answer = untilClosed(s.getInputStream());
                assertThat(new String(answer, StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 400");
            }
        }
        assertThat(seen).isEmpty();
    }

    @Test
    void bodiesABlockingStageReadOrReplacedAreForwardedToo() throws Exception {
        BlockingQueue<Message> seen = new LinkedBlockingQueue<>();
        EventLoopRawUpstream raw = answering(seen, "ok");
        java.nio.file.Path file = java.nio.file.Files.createTempFile("forward", ".bin");
        byte[] big = Pattern.bytes(7, 200_000);
        java.nio.file.Files.write(file, big);
        // a blocking stage: reads the small body (a validator would), replaces others by a stream or a file
        dev.harmony.pipeline.Middleware stage = chain -> {
            dev.harmony.message.Request r = chain.request();
            return switch (r.path()) {
                case "/read" -> chain.proceed(r.withBody(dev.harmony.message.Body.ofBytes(r.body().bytes(),
                        "application/json")));
                case "/stream" -> chain.proceed(r.withBody(dev.harmony.message.Body.ofStream(
                        new java.io.ByteArrayInputStream(big), -1, "application/octet-stream")));
                default -> chain.proceed(r.withBody(dev.harmony.message.Body.ofFile(file, "application/octet-stream")));
            };
        };
        ingress = HttpIngress.port(0).bind("127.0.0.1").prefix("/fhir").build();
        Pipeline p = Pipeline.builder().name("staged").frontend(ingress).use(stage)
                .backend(HttpForward.to(raw.origin()).build()).build();
        p.start();
        open.add(p);
        assertThat(call(ingress.port(), "POST", "/fhir/read", "{\"validated\":true}").status()).isEqualTo(200);
        assertThat(seen.poll(10, TimeUnit.SECONDS).text()).isEqualTo("{\"validated\":true}");
        assertThat(call(ingress.port(), "POST", "/fhir/stream", "{}").status()).isEqualTo(200);
        Message streamed = seen.poll(10, TimeUnit.SECONDS);
        assertThat(streamed.header("Transfer-Encoding")).isEqualTo("chunked");
        assertThat(streamed.body()).isEqualTo(big);
        assertThat(call(ingress.port(), "POST", "/fhir/file", "{}").status()).isEqualTo(200);
        Message fromFile = seen.poll(10, TimeUnit.SECONDS);
        assertThat(fromFile.header("Content-Length")).isEqualTo(Integer.toString(big.length));
        assertThat(fromFile.body()).isEqualTo(big);
        java.nio.file.Files.delete(file);
    }
}
