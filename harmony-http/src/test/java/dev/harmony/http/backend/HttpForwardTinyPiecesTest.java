package dev.harmony.http.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.http.frontend.HttpIngress;
import dev.harmony.http.internal.client.EventLoopRawUpstream;
import dev.harmony.pipeline.Pipeline;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Fast peers and huge numbers of tiny pieces through the proxy (client, ingress, forward and upstream
 * all on loopback, the forward on the ingress's I/O thread): every byte arrives, in order, and nothing
 * recurses per piece.
 */
class HttpForwardTinyPiecesTest {
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private int proxy(URI upstream) {
        HttpIngress ingress = HttpIngress.port(0).bind("127.0.0.1").prefix("/fhir").build();
        Pipeline p = Pipeline.builder().name("tiny").frontend(ingress)
                .backend(HttpForward.to(upstream).readTimeout(Duration.ofSeconds(20)).build()).build();
        p.start();
        open.add(p);
        return ingress.port();
    }

    private EventLoopRawUpstream upstream(EventLoopRawUpstream.Script script) throws IOException {
        EventLoopRawUpstream raw = new EventLoopRawUpstream(script);
        open.add(raw);
        return raw;
    }

    /** {@code count} chunks of 1 to 16 bytes, then the last chunk; the data is a pattern whose sum is known. */
    private static byte[] tinyChunks(int count, ByteArrayOutputStream data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(count * 16);
        for (int i = 0; i < count; i++) {
            int n = 1 + i % 16;
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            for (int j = 0; j < n; j++) {
                byte b = (byte) ('a' + (i + j) % 26);
                out.write(b);
                data.write(b);
            }
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static String digest(byte[] body) {
        long sum = 0;
        for (int i = 0; i < body.length; i++) {
            sum = sum * 31 + body[i];
        }
        return body.length + ":" + sum;
    }

    private static Socket client(int port) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(30_000);
        return s;
    }

    private static CompletableFuture<Void> writeAsync(Socket s, byte[] bytes) {
        return CompletableFuture.runAsync(() -> {
            try {
                OutputStream out = s.getOutputStream();
                out.write(bytes);
                out.flush();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void aChunkedUploadOfTinyChunksReachesAFastUpstreamWhole() throws Exception {
        EventLoopRawUpstream up = upstream((i, socket) -> {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            HttpForwardWireTest.Message m;
            while ((m = HttpForwardWireTest.read(in, false, null)) != null) {
                String d = digest(m.body());
                EventLoopRawUpstream.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: " + d.length() + "\r\n\r\n" + d);
            }
        });
        int port = proxy(up.origin());
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        byte[] chunks = tinyChunks(100_000, data);
        try (Socket s = client(port)) {
            byte[] head = "POST /fhir/up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII);
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.writeBytes(head);
            all.writeBytes(chunks);
            CompletableFuture<Void> sent = writeAsync(s, all.toByteArray());
            HttpForwardWireTest.Message answer = HttpForwardWireTest.read(new BufferedInputStream(s.getInputStream()),
                    true, "POST");
            sent.get(30, TimeUnit.SECONDS);
            assertThat(answer.status()).as(answer.head() + answer.text()).isEqualTo(200);
            assertThat(answer.text()).isEqualTo(digest(data.toByteArray()));
        }
    }

    @Test
    void aFastUpstreamsResponseOfTinyChunksReachesTheClientWhole() throws Exception {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        byte[] chunks = tinyChunks(100_000, data);
        EventLoopRawUpstream up = upstream((i, socket) -> {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            while (HttpForwardWireTest.read(in, false, null) != null) {
                OutputStream out = socket.getOutputStream();
                out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.write(chunks);
                out.flush();
            }
        });
        int port = proxy(up.origin());
        try (Socket s = client(port)) {
            s.getOutputStream().write("GET /fhir/down HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            HttpForwardWireTest.Message answer = HttpForwardWireTest.read(new BufferedInputStream(s.getInputStream()),
                    true, "GET");
            assertThat(answer.status()).isEqualTo(200);
            assertThat(digest(answer.body())).isEqualTo(digest(data.toByteArray()));
        }
    }

    @Test
    void pipelinedUploadsWithTheNextHeadInTheSamePacketAreEachForwardedWhole() throws Exception {
        EventLoopRawUpstream up = upstream((i, socket) -> {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            HttpForwardWireTest.Message m;
            while ((m = HttpForwardWireTest.read(in, false, null)) != null) {
                String d = m.head().substring(0, m.head().indexOf(' ', 5)) + " " + digest(m.body());
                EventLoopRawUpstream.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: " + d.length() + "\r\n\r\n" + d);
            }
        });
        int port = proxy(up.origin());
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        List<String> expected = new ArrayList<>();
        for (int r = 0; r < 20; r++) {
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            byte[] chunks = tinyChunks(r * 50, data);
            if (r % 2 == 0) {
                all.writeBytes(("POST /fhir/p" + r + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                all.writeBytes(chunks);
            } else {
                all.writeBytes(("POST /fhir/p" + r + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + data.size()
                        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                all.writeBytes(data.toByteArray());
            }
            expected.add("POST /p" + r + " " + digest(data.toByteArray()));
        }
        try (Socket s = client(port)) {
            CompletableFuture<Void> sent = writeAsync(s, all.toByteArray());
            InputStream in = new BufferedInputStream(s.getInputStream());
            List<String> answers = new ArrayList<>();
            for (int r = 0; r < 20; r++) {
                HttpForwardWireTest.Message answer = HttpForwardWireTest.read(in, true, "POST");
                assertThat(answer).as("answer " + r).isNotNull();
                answers.add(answer.status() + " " + answer.text());
            }
            sent.get(30, TimeUnit.SECONDS);
            assertThat(answers).containsExactlyElementsOf(expected.stream().map(e -> "200 " + e).toList());
        }
    }
}
