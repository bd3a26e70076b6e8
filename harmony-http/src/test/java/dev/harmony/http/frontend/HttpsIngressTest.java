package dev.harmony.http.frontend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.harmony.http.HttpAttributes;
import dev.harmony.message.Body;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.testing.RecordingBackend;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS with a self-signed certificate made by keytool, loaded as PKCS#12 and as PEM files. */
class HttpsIngressTest {
    @TempDir
    Path dir;

    @Test
    void servesHttpsFromPemFiles() throws Exception {
        // keytool (part of every JDK) makes the key pair; the PEM files are written from it here, so the
        // test needs no openssl.
        Path p12 = keyStore("pem-source.p12");
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        run("keytool", "-exportcert", "-rfc", "-alias", "server", "-keystore", p12.toString(), "-storepass", "changeit",
                "-file", cert.toString());
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, "changeit".toCharArray());
        }
        byte[] pkcs8 = ks.getKey("server", "changeit".toCharArray()).getEncoded();
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                        .encodeToString(pkcs8)
                + "\n-----END PRIVATE KEY-----\n");
        assertServes(Tls.pem(cert, key), cert);
        assertThatThrownBy(() -> Tls.pem(cert, cert)).hasMessageContaining("PKCS#8");
    }

    @Test
    void servesHttpsFromAKeyStore() throws Exception {
        Path p12 = keyStore("server.p12");
        Path cert = dir.resolve("server.pem");
        run("keytool", "-exportcert", "-rfc", "-alias", "server", "-keystore", p12.toString(), "-storepass", "changeit",
                "-file", cert.toString());
        assertServes(Tls.keyStore(p12, "changeit".toCharArray()), cert);
        assertThatThrownBy(() -> Tls.keyStore(p12, "wrong".toCharArray())).hasMessageContaining("Tls.keyStore");
    }

    /** A PKCS#12 key store with a self-signed RSA certificate for 127.0.0.1, alias "server", password "changeit". */
    private Path keyStore(String name) throws Exception {
        Path p12 = dir.resolve(name);
        run("keytool", "-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                "-ext", "SAN=ip:127.0.0.1", "-validity", "1", "-keystore", p12.toString(), "-storetype", "PKCS12",
                "-storepass", "changeit", "-keypass", "changeit");
        return p12;
    }

    private void assertServes(Tls tls, Path trustedCert) throws Exception {
        RecordingBackend backend = RecordingBackend.answering(Response.ok(Body.ofText("secure", "text/plain")));
        HttpIngress ingress = HttpIngress.port(0).bind("127.0.0.1").https(tls).build();
        try (Pipeline p = Pipeline.builder().name("tls").frontend(ingress).backend(backend).build()) {
            p.start();
            HttpClient client = HttpClient.newBuilder().sslContext(trusting(trustedCert))
                    .connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + ingress.port() + "/x")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("secure");
            assertThat(backend.last().request().attribute(HttpAttributes.SCHEME)).contains("https");
            assertThat(ingress.describe().detail()).startsWith("HTTPS :");

            // Undertow's own parser errors get the ingress's shape over TLS too (the guard sits above TLS).
            try (javax.net.ssl.SSLSocket raw = (javax.net.ssl.SSLSocket) trusting(trustedCert).getSocketFactory()
                    .createSocket("127.0.0.1", ingress.port())) {
                raw.setSoTimeout(10_000);
                raw.getOutputStream().write("GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                raw.getOutputStream().flush();
                String answer = new String(raw.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                assertThat(answer).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("Content-Type: application/json")
                        .endsWith("\"error\":\"malformed\",\"message\":\"the request must carry exactly one valid Host header\"}");
            }
            assertThat(client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + ingress.port() + "/y")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }
    }

    private static SSLContext trusting(Path certPem) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(certPem)) {
            trust.setCertificateEntry("server", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private void run(String... command) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(List.of(command)).redirectErrorStream(true)
                    .redirectOutput(dir.resolve(command[0] + ".log").toFile()).start();
        } catch (java.io.IOException e) {
            throw new AssertionError(command[0] + " is required for this test but cannot be run: " + e.getMessage(), e);
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(command[0] + " finished in time").isTrue();
        assertThat(p.exitValue()).as(command[0] + " output: " + Files.readString(dir.resolve(command[0] + ".log")))
                .isZero();
    }
}
