package dev.harmony.hl7;

import static dev.harmony.hl7.RawMllp.adt;
import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.hl7.backend.MllpForward;
import dev.harmony.hl7.frontend.MllpListener;
import dev.harmony.message.Body;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.pipeline.Rejection;
import dev.harmony.testing.RecordingBackend;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MLLP over TLS: our forwarder to our listener with a certificate made by the JDK's keytool. */
class MllpTlsTest {
    static SSLContext server;
    static SSLContext client;

    @BeforeAll
    static void certificates(@TempDir Path dir) throws Exception {
        Path ks = dir.resolve("server.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "mllp", "-keyalg", "EC", "-groupname",
                "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", "changeit").inheritIO().start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(ks)) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, "changeit".toCharArray());
        server = SSLContext.getInstance("TLS");
        server.init(kmf.getKeyManagers(), null, null);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("mllp", keys.getCertificate("mllp"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        client = SSLContext.getInstance("TLS");
        client.init(null, tmf.getTrustManagers(), null);
    }

    @Test
    void forwarderAndListenerSpeakMllpOverTls() throws Exception {
        RecordingBackend backend = RecordingBackend.answering(Response.ok());
        MllpListener mllp = MllpListener.port(0).bindAddress("127.0.0.1").tls(server).build();
        try (Pipeline p = Pipeline.builder().name("tls").frontend(mllp).backend(backend).build()) {
            p.start();
            MllpForward forward = MllpForward.to("127.0.0.1", mllp.localPort()).tls(client).build();
            Response r = forward.handle(Request.builder(Hl7.MLLP, "ADT^A01").body(Body.ofText(adt("TLS1"), Hl7.ER7))
                    .build());
            assertThat(r.isSuccess()).as(r.toString()).isTrue();
            assertThat(r.body().text()).contains("MSA|AA|TLS1");
            forward.stop();
            // a plain-text peer gets no ACK and the listener keeps serving TLS
            try (RawMllp plain = new RawMllp(mllp.localPort())) {
                plain.send(adt("PLAIN"));
                assertThat(plain.closedByPeer()).isTrue();
            }
            MllpForward untrusting = MllpForward.to("127.0.0.1", mllp.localPort()).tls(SSLContext.getDefault()).build();
            Response refused = untrusting.handle(Request.builder(Hl7.MLLP, "ADT^A01")
                    .body(Body.ofText(adt("TLS2"), Hl7.ER7)).build());
            assertThat(refused.rejection()).map(Rejection::kind).contains(Rejection.Kind.UPSTREAM_UNAVAILABLE);
        }
        assertThat(backend.count()).isEqualTo(1);
    }

    @Test
    void aTlsDownstreamThatStopsReadingTimesOut() throws Exception {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        try (javax.net.ssl.SSLServerSocket stalled = (javax.net.ssl.SSLServerSocket) server.getServerSocketFactory()
                .createServerSocket()) {
            stalled.setReceiveBufferSize(1024);
            stalled.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
            Thread peer = new Thread(() -> { // completes the handshake, then never reads
                try (java.net.Socket s = stalled.accept()) {
                    ((javax.net.ssl.SSLSocket) s).startHandshake();
                    done.await(30, TimeUnit.SECONDS);
                } catch (Exception ignored) {
                    // the test's assertion is on the sender
                }
            });
            peer.setDaemon(true);
            peer.start();
            MllpForward forward = MllpForward.to("127.0.0.1", stalled.getLocalPort()).tls(client)
                    .ackTimeout(java.time.Duration.ofSeconds(5)).build(); // it bounds the handshake too
            Request big = Request.builder(Hl7.MLLP, "ADT^A01").body(Body.ofText(adt("BIG") + "NTE|1||"
                    + "x".repeat(16 << 20) + "\r", Hl7.ER7)).build();
            java.util.concurrent.CompletableFuture<Response> sent = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> {
                        try {
                            return forward.handle(big);
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
            // the reset must not wait for the blocked TLS writer (a close_notify would)
            Response r = sent.get(20, TimeUnit.SECONDS);
            // a retryable rejection, not a hang (under load this has come back UNAVAILABLE: see the commit)
            assertThat(r.rejection()).as(r.toString()).map(Rejection::kind).get()
                    .isIn(Rejection.Kind.UPSTREAM_TIMEOUT, Rejection.Kind.UPSTREAM_UNAVAILABLE);
            forward.stop();
        } finally {
            done.countDown();
        }
    }

    @Test
    void aTlsSenderThatNeverReadsItsAcksIsCutOff() throws Exception {
        MllpListener mllp = MllpListener.port(0).bindAddress("127.0.0.1").tls(server)
                .frameTimeout(java.time.Duration.ofSeconds(5)).build(); // it bounds the handshake too
        try (Pipeline p = Pipeline.builder().name("tls-hog").frontend(mllp).backend(RecordingBackend.answering(
                Response.ok())).build()) {
            p.start();
            try (javax.net.ssl.SSLSocket hog = (javax.net.ssl.SSLSocket) client.getSocketFactory().createSocket()) {
                hog.setReceiveBufferSize(1024);
                hog.setSoLinger(true, 0); // its own close must not wait for its blocked writer either
                hog.connect(new java.net.InetSocketAddress("127.0.0.1", mllp.localPort()), 10_000);
                hog.startHandshake();
                byte[] frame = RawMllp.frame(adt("H".repeat(16 * 1024))); // each ACK mirrors the long id
                java.util.concurrent.CompletableFuture<Throwable> sending = java.util.concurrent.CompletableFuture
                        .supplyAsync(() -> {
                            try {
                                while (true) {
                                    hog.getOutputStream().write(frame);
                                }
                            } catch (java.io.IOException e) {
                                return e;
                            }
                        });
                // the listener's reset must not wait for its blocked TLS writer (a close_notify would)
                assertThat(sending.get(20, TimeUnit.SECONDS)).isInstanceOf(java.io.IOException.class);
            }
            MllpForward forward = MllpForward.to("127.0.0.1", mllp.localPort()).tls(client).build();
            assertThat(forward.handle(Request.builder(Hl7.MLLP, "ADT^A01").body(Body.ofText(adt("AFTER"), Hl7.ER7))
                    .build()).isSuccess()).isTrue();
            forward.stop();
        }
    }
}
