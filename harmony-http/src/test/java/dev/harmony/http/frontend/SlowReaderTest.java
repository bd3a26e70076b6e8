package dev.harmony.http.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.http.Loopback;
import dev.harmony.http.backend.HttpForward;
import dev.harmony.message.Body;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.testing.RecordingBackend;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A client that asks for a big answer and stops reading it must not hold a worker thread, the stream
 * feeding the answer or an upstream connection for ever: after {@code writeTimeout} without progress the
 * ingress closes the connection and releases what fed it, and keeps serving everyone else.
 */
class SlowReaderTest {
    private static final long BIG = 256L * 1024 * 1024; // far more than any socket buffer holds

    @Test
    void aStreamedAnswerToAClientThatStopsReadingIsReleased() throws Exception {
        CountDownLatch released = new CountDownLatch(1);
        RecordingBackend backend = RecordingBackend.answering(r -> r.path().equals("/small")
                ? Response.ok(Body.ofText("small", "text/plain"))
                : Response.ok(Body.ofStream(new EndlessBytes(BIG, released), BIG, "application/octet-stream")));
        HttpIngress ingress = HttpIngress.port(0).bind("127.0.0.1").writeTimeout(Duration.ofMillis(300)).build();
        try (Pipeline p = Pipeline.builder().name("slow-reader").frontend(ingress).backend(backend).build()) {
            p.start();
            try (Socket stalled = stalledClient(ingress.port(), "/big")) {
                assertThat(released.await(30, TimeUnit.SECONDS)).as("answer stream closed after the write timeout").isTrue();
                assertThat(Loopback.get(ingress.port(), "/small").statusCode()).isEqualTo(200);
                assertThat(drain(stalled)).isLessThan(BIG);
            }
        }
    }

    @Test
    void aForwardedAnswerToAClientThatStopsReadingReleasesTheUpstream() throws Exception {
        CountDownLatch upstreamReleased = new CountDownLatch(1);
        try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread origin = new Thread(() -> serveEndlessly(upstream, upstreamReleased), "endless-origin");
            origin.setDaemon(true);
            origin.start();
            HttpIngress ingress = HttpIngress.port(0).bind("127.0.0.1").writeTimeout(Duration.ofMillis(300)).build();
            try (Pipeline p = Pipeline.builder().name("slow-reader-proxy").frontend(ingress)
                    .backend(HttpForward.to(URI.create("http://127.0.0.1:" + upstream.getLocalPort()))
                            .readTimeout(Duration.ofSeconds(120)).build())
                    .build()) {
                p.start();
                try (Socket stalled = stalledClient(ingress.port(), "/big")) {
                    assertThat(upstreamReleased.await(30, TimeUnit.SECONDS))
                            .as("upstream connection closed after the client's write timeout").isTrue();
                    assertThat(drain(stalled)).isLessThan(BIG);
                }
            }
        }
    }

    /** A client with a tiny receive window that sends one GET and reads nothing. */
    private static Socket stalledClient(int port, String path) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(30_000);
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return s;
    }

    /** Reads what the ingress managed to send before it gave up: the answer ends early (EOF or reset). */
    private static long drain(Socket s) {
        long total = 0;
        byte[] buffer = new byte[64 * 1024];
        try {
            InputStream in = s.getInputStream();
            for (int n; (n = in.read(buffer)) != -1; ) {
                total += n;
            }
        } catch (IOException reset) {
            // a reset is as good as an EOF: the answer did not complete
        }
        return total;
    }

    private static void serveEndlessly(ServerSocket server, CountDownLatch released) {
        try (Socket s = server.accept()) {
            InputStream in = s.getInputStream();
            int matched = 0;
            while (matched < 4) { // the request head ends with CRLF CRLF
                int c = in.read();
                if (c < 0) {
                    return;
                }
                matched = (c == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (c == '\r' ? 1 : 0);
            }
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + BIG + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) 'x');
            for (long sent = 0; sent < BIG; sent += chunk.length) {
                out.write(chunk); // blocks while the proxy holds off; fails once it closes
            }
        } catch (IOException closedByTheProxy) {
            released.countDown();
        }
    }

    /** {@code length} bytes made up as they are read; closing it counts down {@code closed}. */
    private static final class EndlessBytes extends InputStream {
        private final CountDownLatch closed;
        private long left;

        EndlessBytes(long length, CountDownLatch closed) {
            this.left = length;
            this.closed = closed;
        }

        @Override
        public int read() {
            if (left <= 0) {
                return -1;
            }
            left--;
            return 'x';
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            Arrays.fill(b, off, off + n, (byte) 'x');
            left -= n;
            return n;
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }
}
