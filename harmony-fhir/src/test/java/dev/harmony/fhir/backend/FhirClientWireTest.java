package dev.harmony.fhir.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.message.Body;
import dev.harmony.message.Json;
import dev.harmony.message.Protocol;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.pipeline.Rejection;
import dev.harmony.testing.DirectFrontend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * FhirClient against a raw-socket peer, for what its HTTP client does on the wire: keep-alive reuse across
 * retries, big chunked answers streamed to the calling thread, bodies that stall, break off or grow too big.
 */
class FhirClientWireTest {
    private static final String CREATED = "{\"resourceType\":\"Bundle\",\"type\":\"transaction-response\",\"entry\":"
            + "[{\"response\":{\"status\":\"201 Created\",\"location\":\"Patient/9/_history/1\"}}]}";

    private final DirectFrontend in = DirectFrontend.speaking(Protocol.HTTP);
    private Pipeline pipeline;

    private Response post(FhirClient client) {
        if (pipeline == null) {
            pipeline = Pipeline.builder().name("fhir-wire").frontend(in).backend(client).build();
            pipeline.start();
        }
        return in.send(in.request("POST", "/").body(Body.ofText(FhirClientTest.PATIENT, "application/json")));
    }

    @AfterEach
    void close() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    /** Answers the n-th request (0-based) on any connection; returns false to close that connection. */
    @FunctionalInterface
    interface Script {
        boolean answer(int n, OutputStream out) throws IOException;
    }

    /** Reads whole requests (head and Content-Length body), answers each from the script. */
    static final class RawPeer implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final AtomicInteger requests = new AtomicInteger();
        private final AtomicInteger connections = new AtomicInteger();
        /** Each connection's thread ends when its socket saw EOF or an error: then it counts down here. */
        private final List<CompletableFuture<Void>> ended = new CopyOnWriteArrayList<>();
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        final List<String> heads = new CopyOnWriteArrayList<>();

        RawPeer(Script script) throws IOException {
            Thread acceptor = new Thread(() -> {
                try {
                    while (!server.isClosed()) {
                        Socket s = server.accept();
                        sockets.add(s);
                        connections.incrementAndGet();
                        CompletableFuture<Void> done = new CompletableFuture<>();
                        ended.add(done);
                        Thread t = new Thread(() -> serve(s, script, done), "raw-fhir-conn");
                        t.setDaemon(true);
                        t.start();
                    }
                } catch (IOException closed) {
                    // close() ends the loop
                }
            }, "raw-fhir-peer");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private void serve(Socket s, Script script, CompletableFuture<Void> done) {
            try (s) {
                InputStream is = s.getInputStream();
                while (true) {
                    String head = readHead(is);
                    if (head == null) {
                        break;
                    }
                    heads.add(head);
                    int length = 0;
                    for (String line : head.split("\r\n")) {
                        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                            length = Integer.parseInt(line.substring(15).strip());
                        }
                    }
                    is.readNBytes(length);
                    if (!script.answer(requests.getAndIncrement(), s.getOutputStream())) {
                        // wait for the client to close its side (or our close()), so the test sees who closed
                        while (is.read() != -1) {
                            // discard
                        }
                        break;
                    }
                }
            } catch (IOException e) {
                // the client went away
            } finally {
                done.complete(null);
            }
        }

        private static String readHead(InputStream is) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int b;
            while ((b = is.read()) != -1) {
                head.write(b);
                byte[] h = head.toByteArray();
                int n = h.length;
                if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                    return head.toString(StandardCharsets.ISO_8859_1);
                }
            }
            return null;
        }

        URI base() {
            return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/fhir/");
        }

        int connections() {
            return connections.get();
        }

        int requests() {
            return requests.get();
        }

        /** Waits (bounded) until the client closed the connection the peer held open. */
        void awaitClientClosedAll() throws Exception {
            for (CompletableFuture<Void> f : ended) {
                f.get(10, TimeUnit.SECONDS);
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    static void answer(OutputStream out, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        write(out, "HTTP/1.1 " + status + " X\r\nContent-Type: application/fhir+json\r\nContent-Length: " + b.length
                + "\r\n\r\n");
        out.write(b);
        out.flush();
    }

    /** A transaction-response Bundle of about {@code size} bytes, to go over the client's buffered limit. */
    static String bigBundle(int size) {
        StringBuilder b = new StringBuilder(CREATED.substring(0, CREATED.length() - 1)).append(",\"pad\":\"");
        while (b.length() < size) {
            b.append("0123456789abcdef");
        }
        return b.append("\"}").toString();
    }

    static void chunked(OutputStream out, String body, int chunk) throws IOException {
        write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/fhir+json\r\nTransfer-Encoding: chunked\r\n\r\n");
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i += chunk) {
            int n = Math.min(chunk, b.length - i);
            write(out, Integer.toHexString(n) + "\r\n");
            out.write(b, i, n);
            write(out, "\r\n");
        }
        write(out, "0\r\n\r\n");
    }

    @Test
    void a503ThenA200ReusesTheKeepAliveConnection() throws Exception {
        try (RawPeer peer = new RawPeer((n, out) -> {
            if (n == 0) {
                answer(out, 503, "{\"resourceType\":\"OperationOutcome\",\"issue\":[]}");
            } else {
                answer(out, 200, CREATED);
            }
            return true;
        })) {
            FhirClient client = FhirClient.to(peer.base()).asTransaction()
                    .retry(Retry.attempts(3).backoff(Duration.ofMillis(10), Duration.ofMillis(50))).build();

            Response r = post(client);

            assertThat(r.status()).isEqualTo(200);
            assertThat(r.attribute(FhirClient.ATTEMPTS)).contains(2);
            assertThat(r.attribute(FhirClient.LOCATION)).contains("Patient/9/_history/1");
            assertThat(peer.requests()).isEqualTo(2);
            assertThat(peer.connections()).isEqualTo(1);
            assertThat(peer.heads.get(0)).startsWith("POST /fhir HTTP/1.1\r\n")
                    .containsIgnoringCase("\r\nHost: 127.0.0.1:")
                    .containsIgnoringCase("\r\nContent-Type: application/fhir+json; charset=utf-8\r\n")
                    .containsIgnoringCase("\r\nAccept: application/fhir+json\r\n");
        }
    }

    @Test
    void aBigChunkedAnswerIsStreamedToTheCallerWhole() throws Exception {
        String big = bigBundle(300_000); // over the 64 KiB the client reads whole on its I/O thread
        try (RawPeer peer = new RawPeer((n, out) -> {
            chunked(out, big, 7_000);
            return true;
        })) {
            FhirClient client = FhirClient.to(peer.base()).asTransaction().build();

            Response first = post(client);
            Response second = post(client);

            assertThat(first.status()).isEqualTo(200);
            assertThat(Json.mapper().readTree(first.body().bytes())).isEqualTo(Json.mapper().readTree(big));
            assertThat(first.attribute(FhirClient.LOCATION)).contains("Patient/9/_history/1");
            assertThat(second.status()).isEqualTo(200);
            assertThat(peer.connections()).isEqualTo(1); // read to its end, the connection went back to the pool
        }
    }

    @Test
    void anAnswerOverMaxResponseBytesIsTheServersFailureAndItsConnectionIsClosed() throws Exception {
        try (RawPeer peer = new RawPeer((n, out) -> {
            chunked(out, bigBundle(200_000), 16_000);
            return false;
        })) {
            FhirClient client = FhirClient.to(peer.base()).asTransaction().maxResponseBytes(100_000)
                    .retry(Retry.none()).build();

            Response r = post(client);

            assertThat(r.status()).isEqualTo(502);
            assertThat(r.rejection().orElseThrow().message()).contains("response larger than 100000 bytes");
            peer.awaitClientClosedAll();
        }
    }

    /** {@code body} in chunks of 1 to 16 bytes, all in one write: a fast server with a pathological framing. */
    static void tinyChunks(OutputStream out, String body) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes("HTTP/1.1 200 OK\r\nContent-Type: application/fhir+json\r\nTransfer-Encoding: chunked\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        for (int i = 0, k = 0; i < b.length; k++) {
            int n = Math.min(1 + k % 16, b.length - i);
            all.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            all.write(b, i, n);
            all.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            i += n;
        }
        all.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.write(all.toByteArray());
        out.flush();
    }

    @Test
    void anAnswerOfTinyChunksArrivesWhole() throws Exception {
        String big = bigBundle(300_000);
        try (RawPeer peer = new RawPeer((n, out) -> {
            tinyChunks(out, big);
            return true;
        })) {
            Response whole = post(FhirClient.to(peer.base()).asTransaction().build());

            assertThat(whole.status()).isEqualTo(200);
            assertThat(Json.mapper().readTree(whole.body().bytes())).isEqualTo(Json.mapper().readTree(big));
        }
    }

    @Test
    void anAnswerOfTinyChunksOverMaxResponseBytesIsRefused() throws Exception {
        try (RawPeer peer = new RawPeer((n, out) -> {
            tinyChunks(out, bigBundle(300_000));
            return false;
        })) {
            Response over = post(FhirClient.to(peer.base()).asTransaction().maxResponseBytes(100_000)
                    .retry(Retry.none()).build());

            assertThat(over.status()).isEqualTo(502);
            assertThat(over.rejection().orElseThrow().message()).contains("response larger than 100000 bytes");
            peer.awaitClientClosedAll();
        }
    }

    @Test
    void aBodyThatStallsHitsTheReadTimeout() throws Exception {
        try (RawPeer peer = new RawPeer((n, out) -> {
            write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/fhir+json\r\nContent-Length: 200000\r\n\r\n");
            write(out, CREATED.substring(0, 20)); // and then nothing
            return false;
        })) {
            FhirClient client = FhirClient.to(peer.base()).asTransaction().readTimeout(Duration.ofMillis(300))
                    .retry(Retry.attempts(3)).build();

            Response r = post(client);

            assertThat(r.status()).isEqualTo(504);
            assertThat(r.rejection().orElseThrow().kind()).isEqualTo(Rejection.Kind.UPSTREAM_TIMEOUT);
            assertThat(r.attribute(FhirClient.ATTEMPTS)).contains(1); // not idempotent: never resent
            assertThat(peer.requests()).isEqualTo(1);
            peer.awaitClientClosedAll();
        }
    }

    @Test
    void aTricklingBodyIsCutOffByTheDeadline() throws Exception {
        try (RawPeer peer = new RawPeer((n, out) -> {
            write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/fhir+json\r\nTransfer-Encoding: chunked\r\n\r\n");
            // a byte every 50 ms, each well within the read timeout, for longer than the deadline
            for (int i = 0; i < 400; i++) {
                write(out, "1\r\n \r\n");
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return false;
                }
            }
            return false;
        })) {
            FhirClient client = FhirClient.to(peer.base()).asTransaction().readTimeout(Duration.ofSeconds(5))
                    .deadline(Duration.ofMillis(600)).retry(Retry.none()).build();

            Response r = CompletableFuture.supplyAsync(() -> post(client)).get(15, TimeUnit.SECONDS);

            assertThat(r.status()).isEqualTo(504);
            assertThat(r.rejection().orElseThrow().message()).contains("did not answer");
            peer.awaitClientClosedAll();
        }
    }

    @Test
    void aServerThatClosesMidBodyIsUnreachableNotAnAnswer() throws Exception {
        try (RawPeer peer = new RawPeer((n, out) -> {
            write(out, "HTTP/1.1 201 Created\r\nContent-Type: application/fhir+json\r\nContent-Length: 500\r\n\r\n{");
            out.close(); // closes the socket with 499 bytes missing
            return false;
        })) {
            FhirClient client = FhirClient.to(peer.base()).retry(Retry.none()).build();

            Response r = post(client);

            assertThat(r.status()).isEqualTo(502);
            assertThat(r.rejection().orElseThrow().message()).contains("is unreachable (1 attempt)");
        }
    }

    @Test
    void stoppedClientsOpenNewConnectionsWhenUsedAgain() throws Exception {
        try (RawPeer peer = new RawPeer((n, out) -> {
            answer(out, 201, FhirClientTest.PATIENT);
            return true;
        })) {
            FhirClient client = FhirClient.to(peer.base()).build();
            assertThat(post(client).status()).isEqualTo(201);
            pipeline.close();
            pipeline = null;
            peer.awaitClientClosedAll(); // stop closed the keep-alive connection

            assertThat(post(client).status()).isEqualTo(201);
            assertThat(peer.connections()).isEqualTo(2);
        }
    }
}
