package dev.harmony.http.frontend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.harmony.http.HttpAttributes;
import dev.harmony.http.Loopback;
import dev.harmony.message.Attribute;
import dev.harmony.message.Body;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.pipeline.Rejection;
import dev.harmony.testing.RecordingBackend;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HttpIngressTest {

    private static Pipeline pipeline(String name, HttpIngress ingress, RecordingBackend backend) {
        return Pipeline.builder().name(name).frontend(ingress).backend(backend).build();
    }

    @Test
    void pipelinesShareOnePortByPrefixAndTheLastStopClosesIt() throws Exception {
        int port = Loopback.freePort();
        RecordingBackend a = RecordingBackend.answering(Response.ok(Body.ofText("A", "text/plain")));
        RecordingBackend b = RecordingBackend.answering(Response.ok(Body.ofText("B", "text/plain")));
        Pipeline pa = pipeline("a", HttpIngress.port(port).bind("127.0.0.1").prefix("/a").build(), a);
        Pipeline pb = pipeline("b", HttpIngress.port(port).bind("127.0.0.1").prefix("/b/").build(), b);
        pa.start();
        pb.start();
        try {
            assertThat(Loopback.get(port, "/a/x?q=1").body()).isEqualTo("A");
            assertThat(Loopback.get(port, "/b/y").body()).isEqualTo("B");
            assertThat(a.last().request().path()).isEqualTo("/x");
            assertThat(a.last().request().query()).isEqualTo("q=1");
            assertThat(a.last().request().attribute(HttpAttributes.PATH_PREFIX)).contains("/a");
            HttpResponse<String> outside = Loopback.get(port, "/c");
            assertThat(outside.statusCode()).isEqualTo(404);

            pa.stop();
            assertThat(Loopback.get(port, "/a/x").statusCode()).isEqualTo(404);
            assertThat(Loopback.get(port, "/b/y").body()).isEqualTo("B");
        } finally {
            pa.close();
            pb.close();
        }
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
    }

    @Test
    void hopByHopHeadersStopAtTheIngressBothWays() throws Exception {
        // The same rule (HopByHop) as the forward's: nothing that belongs to the client's hop reaches a
        // stage, and nothing a backend sets for its own hop reaches the client.
        RecordingBackend backend = RecordingBackend.answering(Response.ok(Body.ofText("ok", "text/plain"))
                .withHeader("Keep-Alive", "timeout=99").withHeader("Proxy-Authenticate", "Basic")
                .withHeader("Trailer", "X-Checksum").withHeader("X-Kept", "yes"));
        HttpIngress ingress = HttpIngress.port(0).bind("127.0.0.1").build();
        try (Pipeline p = pipeline("hops", ingress, backend)) {
            p.start();
            String answer;
            try (Socket socket = new Socket("127.0.0.1", ingress.port())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(("GET /x HTTP/1.1\r\nHost: x\r\nConnection: close, X-Hop-Secret\r\n"
                        + "X-Hop-Secret: 1\r\nProxy-Authorization: Basic Zm9vOmJhcg==\r\nTE: trailers\r\n"
                        + "Upgrade: h2c\r\nKeep-Alive: timeout=5\r\nX-End-To-End: 2\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII); // "close" in a list closes
            }
            dev.harmony.message.Headers seen = backend.last().request().headers();
            assertThat(seen.first("X-End-To-End")).contains("2");
            for (String hop : List.of("Connection", "X-Hop-Secret", "Proxy-Authorization", "TE", "Upgrade", "Keep-Alive")) {
                assertThat(seen.contains(hop)).as(hop).isFalse();
            }
            String head = answer.substring(0, answer.indexOf("\r\n\r\n")).toLowerCase(java.util.Locale.ROOT);
            assertThat(answer).startsWith("HTTP/1.1 200").endsWith("ok");
            assertThat(head).contains("x-kept: yes").doesNotContain("keep-alive: timeout=99")
                    .doesNotContain("proxy-authenticate").doesNotContain("trailer:");
        }
    }

    @Test
    void samePrefixTwiceOnOnePortIsRefusedAtStart() {
        int port = Loopback.freePort();
        RecordingBackend backend = RecordingBackend.answering(Response.ok());
        try (Pipeline first = pipeline("first", HttpIngress.port(port).bind("127.0.0.1").prefix("/x").build(), backend);
                Pipeline second = pipeline("second", HttpIngress.port(port).bind("127.0.0.1").prefix("/x").build(), backend)) {
            first.start();
            assertThatThrownBy(second::start).hasMessageContaining("prefix '/x' is already mounted");
            assertThat(Loopback.get(port, "/x/ok").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void oversizedBodiesAre413WithOrWithoutContentLength() throws Exception {
        RecordingBackend backend = RecordingBackend.answering(r -> Response.ok(Body.ofText(
                Integer.toString(r.body().bytes().length), "text/plain")));
        HttpIngress ingress = HttpIngress.port(0).bind("127.0.0.1").maxBodySize(1000).build();
        try (Pipeline p = pipeline("limits", ingress, backend)) {
            p.start();
            int port = ingress.port();
            HttpResponse<String> ok = Loopback.send(Loopback.request(port, "/up")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1000])).build());
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).isEqualTo("1000");

            HttpResponse<String> declared = Loopback.send(Loopback.request(port, "/up")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[1001])).build());
            assertThat(declared.statusCode()).isEqualTo(413);
            assertThat(declared.body()).contains("\"error\":\"payload_too_large\"");

            // No Content-Length: the stream is cut off while reading.
            HttpResponse<String> chunked = Loopback.send(Loopback.request(port, "/up")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(new byte[5000])))
                    .build());
            assertThat(chunked.statusCode()).isEqualTo(413);
            assertThat(Loopback.get(port, "/still-serving").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void keepAliveServesSeveralRequestsOnOneConnection() throws Exception {
        HttpIngress ingress = HttpIngress.port(0).bind("127.0.0.1").build();
        try (Pipeline p = pipeline("keepalive", ingress, RecordingBackend.answering(Response.ok(Body.ofText("hi", "text/plain"))));
                Socket socket = new Socket()) {
            p.start();
            socket.connect(new InetSocketAddress("127.0.0.1", ingress.port()), 5000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            for (int i = 0; i < 3; i++) {
                out.write(("GET /n" + i + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
                int length = -1;
                for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) {
                    if (line.toLowerCase().startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).strip());
                    }
                }
                char[] body = new char[length];
                assertThat(in.read(body)).isEqualTo(2);
                assertThat(new String(body)).isEqualTo("hi");
            }
        }
    }

    @Test
    void forwardedForIsBelievedOnlyFromTrustedProxies() {
        RecordingBackend backend = RecordingBackend.answering(Response.ok());
        HttpIngress trusting = HttpIngress.port(0).bind("127.0.0.1").trustProxies("127.0.0.0/8").build();
        HttpIngress sceptical = HttpIngress.port(0).bind("127.0.0.1").build();
        try (Pipeline t = pipeline("trusting", trusting, backend); Pipeline s = pipeline("sceptical", sceptical, backend)) {
            t.start();
            s.start();
            Loopback.get(trusting.port(), "/", "X-Forwarded-For", "203.0.113.7, 127.0.0.2");
            assertThat(backend.last().request().attribute(Attribute.REMOTE_ADDRESS).orElseThrow().getAddress()
                    .getHostAddress()).isEqualTo("203.0.113.7");
            assertThat(backend.last().request().headers().first("X-Forwarded-For")).contains("203.0.113.7, 127.0.0.2");

            Loopback.get(sceptical.port(), "/", "X-Forwarded-For", "203.0.113.7");
            assertThat(backend.last().request().attribute(Attribute.REMOTE_ADDRESS).orElseThrow().getAddress()
                    .getHostAddress()).isEqualTo("127.0.0.1");
            assertThat(backend.last().request().headers().contains("X-Forwarded-For")).isFalse();
        }
        assertThatThrownBy(() -> HttpIngress.port(0).trustProxies("proxy.example.org"))
                .hasMessageContaining("trustProxies").hasMessageContaining("proxy.example.org");
    }

    @Test
    void rejectionsUseTheConfiguredRendererStatusHeadersAndRetryAfter() {
        AtomicReference<String> seenBy = new AtomicReference<>();
        HttpIngress ingress = HttpIngress.port(0).bind("127.0.0.1")
                .rejections(r -> {
                    seenBy.set(r.kind().name());
                    return Body.ofText("custom:" + r.message(), "application/problem+json");
                }).build();
        RecordingBackend backend = RecordingBackend.answering(Response.rejected(
                Rejection.tooManyRequests("slow down", Duration.ofMillis(1500)).withHeader("X-Why", "test")));
        try (Pipeline p = pipeline("renderer", ingress, backend)) {
            p.start();
            HttpResponse<String> r = Loopback.get(ingress.port(), "/x");
            assertThat(r.statusCode()).isEqualTo(429);
            assertThat(r.headers().firstValue("Retry-After")).contains("2");
            assertThat(r.headers().firstValue("X-Why")).contains("test");
            assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
            assertThat(r.body()).isEqualTo("custom:slow down");
            assertThat(seenBy.get()).isEqualTo("TOO_MANY_REQUESTS");
        }
    }

    @Test
    void aFailingStageBecomes500AndTheListenerKeepsServing() {
        List<String> calls = new ArrayList<>();
        HttpIngress ingress = HttpIngress.port(0).bind("127.0.0.1").build();
        try (Pipeline p = Pipeline.builder().name("boom").frontend(ingress).backend(r -> {
            calls.add(r.path());
            if (r.path().equals("/boom")) {
                throw new IllegalStateException("kaput");
            }
            return Response.ok();
        }).build()) {
            p.start();
            HttpResponse<String> boom = Loopback.get(ingress.port(), "/boom");
            assertThat(boom.statusCode()).isEqualTo(500);
            assertThat(boom.body()).contains("\"error\":\"internal\"").doesNotContain("kaput");
            assertThat(Loopback.get(ingress.port(), "/fine").statusCode()).isEqualTo(200);
            assertThat(Loopback.get(ingress.port(), "/a/%2e%2e/admin").statusCode()).isEqualTo(400);
            assertThat(calls).containsExactly("/boom", "/fine");
        }
    }

    @Test
    void headAnswersCarryNoBody() throws Exception {
        HttpIngress ingress = HttpIngress.port(0).bind("127.0.0.1").build();
        try (Pipeline p = pipeline("head", ingress, RecordingBackend.answering(Response.ok(Body.ofText("12345", "text/plain"))))) {
            p.start();
            try (Socket socket = new Socket("127.0.0.1", ingress.port())) {
                socket.setSoTimeout(5000);
                socket.getOutputStream().write("HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                InputStream in = socket.getInputStream();
                String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
                assertThat(answer).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n").doesNotContain("12345");
            }
        }
    }

    @Test
    void describesItself() {
        assertThat(HttpIngress.port(8080).prefix("/fhir").build().describe())
                .isEqualTo(new dev.harmony.pipeline.Stage.Description("HTTP Ingress", ":8080/fhir"));
        assertThatThrownBy(() -> HttpIngress.port(70000).build()).hasMessageContaining("HttpIngress.port");
        assertThatThrownBy(() -> HttpIngress.port(1).prefix("fhir")).hasMessageContaining("HttpIngress.prefix");
    }

    @Test
    void aRunningIngressOnPortZeroDescribesThePortItBound() {
        HttpIngress ingress = HttpIngress.port(0).bind("127.0.0.1").prefix("/fhir").build();
        try (dev.harmony.pipeline.Pipeline p = dev.harmony.pipeline.Pipeline.builder().name("described")
                .frontend(ingress).backend(r -> dev.harmony.message.Response.ok()).build()) {
            assertThat(p.diagram().frontend().detail()).isEqualTo(":0/fhir");
            p.start();
            assertThat(ingress.port()).isPositive();
            assertThat(p.diagram().frontend().detail()).isEqualTo(":" + ingress.port() + "/fhir");
        }
    }
}
