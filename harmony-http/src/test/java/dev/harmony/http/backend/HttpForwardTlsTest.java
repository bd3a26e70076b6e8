package dev.harmony.http.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.http.Loopback;
import dev.harmony.http.frontend.HttpIngress;
import dev.harmony.http.frontend.Tls;
import dev.harmony.message.Body;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.testing.RecordingBackend;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An https upstream: a real Undertow HTTPS listener with a self-signed certificate made by keytool in
 * the test, trusted through {@link HttpForward.Builder#trust(Path)}; GET and POST, small and streamed, both ways.
 */
class HttpForwardTlsTest {
    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();
    private int upstreamPort;
    private Path certificate;
    private final byte[] big = Pattern.bytes(0, 700_000);

    @BeforeEach
    void startHttpsUpstream() throws Exception {
        Path p12 = dir.resolve("upstream.p12");
        certificate = dir.resolve("upstream.pem");
        run("keytool", "-genkeypair", "-alias", "upstream", "-keyalg", "RSA", "-keysize", "2048", "-dname",
                "CN=upstream", "-ext", "SAN=ip:127.0.0.1", "-validity", "1", "-keystore", p12.toString(),
                "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit");
        run("keytool", "-exportcert", "-rfc", "-alias", "upstream", "-keystore", p12.toString(), "-storepass",
                "changeit", "-file", certificate.toString());
        // the upstream answers with what it got: method, path, body length and SHA-256; /big sends 700 KB
        RecordingBackend echo = RecordingBackend.answering(r -> r.path().equals("/big")
                ? Response.ok(Body.ofBytes(big, "application/octet-stream"))
                : Response.ok(Body.ofText(r.operation() + " " + r.path() + " " + r.body().bytes().length + " "
                        + sha256(r.body().bytes()), "text/plain")));
        HttpIngress https = HttpIngress.port(0).bind("127.0.0.1")
                .https(Tls.keyStore(p12, "changeit".toCharArray())).build();
        Pipeline upstream = Pipeline.builder().name("tls-upstream").frontend(https).backend(echo).build();
        upstream.start();
        open.add(upstream);
        upstreamPort = https.port();
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private int proxy(HttpForward forward) {
        HttpIngress ingress = HttpIngress.port(0).bind("127.0.0.1").prefix("/fhir").build();
        Pipeline p = Pipeline.builder().name("tls-proxy").frontend(ingress).backend(forward).build();
        p.start();
        open.add(p);
        return ingress.port();
    }

    @Test
    void getAndPostGoThroughATrustedTlsUpstreamSmallAndStreamed() throws Exception {
        int port = proxy(HttpForward.to(URI.create("https://127.0.0.1:" + upstreamPort)).trust(certificate).build());

        HttpResponse<String> get = Loopback.get(port, "/fhir/Patient/1");
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.body()).isEqualTo("GET /Patient/1 0 " + sha256(new byte[0]));

        String json = "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"" + "T".repeat(2000) + "\"}]}";
        HttpResponse<String> post = Loopback.send(Loopback.request(port, "/fhir/Patient")
                .header("Content-Type", "application/fhir+json").POST(HttpRequest.BodyPublishers.ofString(json)).build());
        assertThat(post.statusCode()).isEqualTo(200);
        assertThat(post.body()).isEqualTo("POST /Patient " + json.length() + " " + sha256(json.getBytes()));

        HttpResponse<String> streamed = Loopback.send(Loopback.request(port, "/fhir/Binary")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))).build());
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(streamed.body()).isEqualTo("POST /Binary " + big.length + " " + sha256(big));

        for (int i = 0; i < 3; i++) { // the answer streams back over TLS, and the connection is reused after it
            HttpResponse<byte[]> download = Loopback.client().send(Loopback.request(port, "/fhir/big").build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(download.statusCode()).isEqualTo(200);
            assertThat(download.body()).isEqualTo(big);
        }
    }

    @Test
    void anUntrustedCertificateOrAWrongHostNameIsA502WithoutDetails() throws Exception {
        int untrusted = proxy(HttpForward.to(URI.create("https://127.0.0.1:" + upstreamPort)).build());
        HttpResponse<String> r = Loopback.get(untrusted, "/fhir/Patient/1");
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(r.body()).contains("UPSTREAM_UNAVAILABLE").contains("correlation id") // the ingress shows no upstream detail
                .doesNotContain(Integer.toString(upstreamPort))
                .doesNotContainIgnoringCase("certificate").doesNotContainIgnoringCase("exception");
        HttpResponse<String> posted = Loopback.send(Loopback.request(untrusted, "/fhir/Patient")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
        assertThat(posted.statusCode()).isEqualTo(502);

        // trusted, but the certificate names 127.0.0.1, not localhost
        int wrongName = proxy(HttpForward.to(URI.create("https://localhost:" + upstreamPort)).trust(certificate).build());
        assertThat(Loopback.get(wrongName, "/fhir/Patient/1").statusCode()).isEqualTo(502);
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(command[0] + ".log").toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(command[0] + " finished in time").isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve(command[0] + ".log"))).isZero();
    }
}
