package dev.harmony.http.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.harmony.fhir.server.EmbeddedFhirServer;
import dev.harmony.http.Loopback;
import dev.harmony.http.frontend.HttpIngress;
import dev.harmony.http.HttpAttributes;
import dev.harmony.message.Attributes;
import dev.harmony.message.Body;
import dev.harmony.message.Json;
import dev.harmony.message.Protocol;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Pipeline;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The forwarding backend behind a real ingress, against a real HAPI FHIR server and a scriptable JDK upstream. */
class HttpForwardTest {
    private final ExecutorService upstreamThreads = Executors.newCachedThreadPool();
    private final CountDownLatch release = new CountDownLatch(1);
    private HttpServer upstream;
    private Pipeline proxy;
    private HttpIngress ingress;

    @AfterEach
    void stop() {
        release.countDown();
        if (proxy != null) {
            proxy.close();
        }
        if (upstream != null) {
            upstream.stop(0);
        }
        upstreamThreads.shutdownNow();
    }

    private void proxyTo(URI base, HttpForward forward, long maxBody) {
        ingress = HttpIngress.port(0).bind("127.0.0.1").prefix("/fhir").maxBodySize(maxBody).build();
        proxy = Pipeline.builder().name("proxy").frontend(ingress).backend(forward).build();
        proxy.start();
    }

    private void proxyTo(URI base) {
        proxyTo(base, HttpForward.to(base).readTimeout(Duration.ofMillis(500)).build(), 64L * 1024 * 1024);
    }

    @Test
    void readSearchAndCreateRoundTripAgainstARealFhirServer() throws Exception {
        try (EmbeddedFhirServer fhir = EmbeddedFhirServer.seeded().start()) {
            proxyTo(fhir.baseUrl(), HttpForward.to(fhir.baseUrl()).build(), 1024 * 1024);
            int port = ingress.port();
            HttpResponse<String> search = Loopback.get(port, "/fhir/Patient?family=Doe&_format=json",
                    "Accept", "application/fhir+json");
            assertThat(search.statusCode()).isEqualTo(200);
            JsonNode bundle = Json.mapper().readTree(search.body());
            assertThat(bundle.get("entry")).hasSize(1);
            String id = bundle.at("/entry/0/resource/id").asText();

            HttpResponse<String> read = Loopback.get(port, "/fhir/Patient/" + id, "Accept", "application/fhir+json");
            assertThat(read.statusCode()).isEqualTo(200);
            assertThat(read.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/fhir+json");
            assertThat(read.headers().firstValue("ETag")).contains("W/\"1\"");
            assertThat(Json.mapper().readTree(read.body()).at("/name/0/family").asText()).isEqualTo("Doe");

            String patient = "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"Proxied\",\"given\":[\"Über\"]}]}";
            HttpResponse<String> created = Loopback.send(Loopback.request(port, "/fhir/Patient")
                    .header("Content-Type", "application/fhir+json; charset=utf-8")
                    .POST(HttpRequest.BodyPublishers.ofString(patient, StandardCharsets.UTF_8)).build());
            assertThat(created.statusCode()).isEqualTo(201);
            // X-Forwarded-Host/Proto/Prefix let the upstream point the client back at the proxy.
            assertThat(created.headers().firstValue("Location").orElseThrow())
                    .startsWith("http://127.0.0.1:" + port + "/fhir/Patient/");
            assertThat(Json.mapper().readTree(search.body()).at("/link/0/url").asText())
                    .startsWith("http://127.0.0.1:" + port + "/fhir/Patient");
            assertThat(fhir.count("Patient")).isEqualTo(4);
            assertThat(fhir.resources(org.hl7.fhir.r4.model.Patient.class).get(3).getNameFirstRep().getGivenAsSingleString())
                    .isEqualTo("Über");

            // FHIR clients often send token parameters unescaped; the proxy escapes them for the upstream.
            JsonNode byIdentifier = Json.mapper().readTree(rawExchange(port,
                    "GET /fhir/Patient?identifier=urn:harmony:mrn|1001 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            + "Accept: application/fhir+json\r\nConnection: close\r\n\r\n"));
            assertThat(byIdentifier.get("entry")).hasSize(1);

            HttpResponse<String> missing = Loopback.get(port, "/fhir/Patient/999999");
            assertThat(missing.statusCode()).isEqualTo(404);
            assertThat(missing.body()).contains("OperationOutcome"); // the upstream's own answer, unchanged
        }
    }

    @Test
    void headersAreForwardedHopByHopOnesDroppedAndRedirectsPassedBack() throws Exception {
        startUpstream(Map.of("/base/echo", this::echo, "/base/moved", ex -> {
            ex.getResponseHeaders().add("Location", "/elsewhere");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        }));
        proxyTo(URI.create("http://127.0.0.1:" + upstream.getAddress().getPort() + "/base"));
        String raw = "GET /fhir/echo?a=1&b=%20x HTTP/1.1\r\nHost: portal.example:8080\r\nX-Request-Id: r-1\r\n"
                + "Connection: keep-alive, X-Hop\r\nX-Hop: secret\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\n"
                + "Proxy-Authorization: Basic Zm9vOmJhcg==\r\n\r\n";
        JsonNode seen = Json.mapper().readTree(rawExchange(ingress.port(), raw));
        assertThat(seen.get("path").asText()).isEqualTo("/base/echo");
        assertThat(seen.get("query").asText()).isEqualTo("a=1&b=%20x");
        JsonNode h = seen.get("headers");
        assertThat(h.get("x-request-id").asText()).isEqualTo("r-1");
        assertThat(h.get("x-forwarded-for").asText()).isEqualTo("127.0.0.1");
        assertThat(h.get("x-forwarded-proto").asText()).isEqualTo("http");
        assertThat(h.get("x-forwarded-host").asText()).isEqualTo("portal.example:8080");
        assertThat(h.get("x-forwarded-prefix").asText()).isEqualTo("/fhir");
        assertThat(h.get("host").asText()).isEqualTo("127.0.0.1:" + upstream.getAddress().getPort());
        for (String hop : List.of("x-hop", "keep-alive", "te", "proxy-authorization")) {
            assertThat(h.has(hop)).as(hop).isFalse();
        }

        HttpResponse<String> echoed = Loopback.get(ingress.port(), "/fhir/echo");
        assertThat(echoed.headers().firstValue("X-Upstream")).contains("yes");

        HttpResponse<String> moved = Loopback.get(ingress.port(), "/fhir/moved");
        assertThat(moved.statusCode()).isEqualTo(302);
        assertThat(moved.headers().firstValue("Location")).contains("/elsewhere");
    }

    @Test
    void refusedUpstreamIs502PromptlyAndSlowUpstreamIs504AtTheTimeout() throws Exception {
        startUpstream(Map.of("/slow", ex -> {
            await(release, 30);
            ex.sendResponseHeaders(200, -1);
            ex.close();
        }, "/fast", ex -> {
            ex.sendResponseHeaders(204, -1);
            ex.close();
        }));
        proxyTo(URI.create("http://127.0.0.1:" + upstream.getAddress().getPort()));

        long started = System.nanoTime();
        HttpResponse<String> slow = Loopback.get(ingress.port(), "/fhir/slow");
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(slow.statusCode()).isEqualTo(504);
        assertThat(slow.body()).contains("UPSTREAM_TIMEOUT").contains("did not answer in time");
        assertThat(tookMillis).isBetween(450L, 5000L);
        assertThat(Loopback.get(ingress.port(), "/fhir/fast").statusCode()).isEqualTo(204);

        int closedPort = Loopback.freePort();
        proxy.close();
        proxyTo(URI.create("http://127.0.0.1:" + closedPort));
        started = System.nanoTime();
        HttpResponse<String> down = Loopback.get(ingress.port(), "/fhir/Patient");
        assertThat(down.statusCode()).isEqualTo(502);
        assertThat(down.body()).contains("UPSTREAM_UNAVAILABLE").contains("unreachable");
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(2000L);
        assertThat(Loopback.get(ingress.port(), "/fhir/again").statusCode()).isEqualTo(502); // still serving
    }

    @Test
    void fiftyMegabytesStreamBothWaysWithoutBeingBuffered() throws Exception {
        long size = 50L * 1024 * 1024;
        int firstPart = 1024 * 1024;
        CountDownLatch upstreamSawFirstPart = new CountDownLatch(1);
        CountDownLatch clientSawFirstPart = new CountDownLatch(1);
        startUpstream(Map.of("/upload", ex -> {
            long count = 0;
            long sum = 0;
            byte[] buf = new byte[65536];
            for (int n; (n = ex.getRequestBody().read(buf)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    sum += buf[i] & 0xff;
                }
                count += n;
                if (count >= firstPart / 2) {
                    upstreamSawFirstPart.countDown();
                }
            }
            byte[] body = ("{\"count\":" + count + ",\"sum\":" + sum + "}").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        }, "/download", ex -> {
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            out.write(Pattern.bytes(0, firstPart));
            out.flush();
            // Hold back the rest until the client has the first part: a proxy that buffers whole
            // bodies would never deliver it, and this would time out.
            if (!await(clientSawFirstPart, 60)) {
                ex.close();
                return;
            }
            for (long sent = firstPart; sent < size; sent += firstPart) {
                out.write(Pattern.bytes(sent, firstPart));
            }
            out.close();
        }));
        proxyTo(URI.create("http://127.0.0.1:" + upstream.getAddress().getPort()),
                HttpForward.to(URI.create("http://127.0.0.1:" + upstream.getAddress().getPort())).build(), 64L * 1024 * 1024);

        // Upload: the client holds back all but the first part until the upstream has received at least
        // half of it (the JDK client itself keeps its last chunk until it can read the next one).
        // 50 MB each way through two hops: a bound that a loaded 2-core machine still meets, not a timing test
        HttpResponse<String> up = Loopback.send(Loopback.request(ingress.port(), "/fhir/upload").timeout(Duration.ofSeconds(90))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new Pattern(size, firstPart, upstreamSawFirstPart)))
                .build());
        assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
        JsonNode result = Json.mapper().readTree(up.body());
        assertThat(result.get("count").asLong()).isEqualTo(size);
        assertThat(result.get("sum").asLong()).isEqualTo(Pattern.sum(size));

        HttpResponse<java.io.InputStream> down = Loopback.client().send(Loopback.request(ingress.port(), "/fhir/download").timeout(Duration.ofSeconds(90))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(down.statusCode()).isEqualTo(200);
        long count = 0;
        long sum = 0;
        try (java.io.InputStream in = down.body()) {
            byte[] buf = new byte[65536];
            for (int n; (n = in.read(buf)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    sum += buf[i] & 0xff;
                }
                count += n;
                if (count >= firstPart / 2) {
                    clientSawFirstPart.countDown();
                }
            }
        }
        assertThat(count).isEqualTo(size);
        assertThat(sum).isEqualTo(Pattern.sum(size));
    }

    @Test
    void uploadsOverTheLimitAre413EvenWhenStreamed() throws Exception {
        startUpstream(Map.of("/upload", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(200, -1);
            ex.close();
        }));
        proxyTo(URI.create("http://127.0.0.1:" + upstream.getAddress().getPort()),
                HttpForward.to(URI.create("http://127.0.0.1:" + upstream.getAddress().getPort())).build(), 1024 * 1024);
        HttpResponse<String> r = Loopback.send(Loopback.request(ingress.port(), "/fhir/upload")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new Pattern(8L * 1024 * 1024, 0, null))).build());
        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.body()).contains("exceeds the limit of 1048576 bytes");
    }

    @Test
    void blockingAndNonBlockingCallersForwardAlike() throws Exception {
        startUpstream(Map.of("/base/echo", this::echo));
        HttpForward forward = HttpForward.to(URI.create("http://127.0.0.1:" + upstream.getAddress().getPort() + "/base")).build();
        forward.start();
        try {
            Request get = Request.builder(Protocol.HTTP, "GET").path("/echo").query("a=1").header("X-Request-Id", "r-2")
                    .attributes(Attributes.empty().with(HttpAttributes.SCHEME, "https")
                            .with(HttpAttributes.PEER_ADDRESS, new InetSocketAddress("127.0.0.9", 5000)))
                    .build();
            Request post = Request.builder(Protocol.HTTP, "POST").path("/echo").header("X-Request-Id", "r-3")
                    .body(Body.ofText("{\"resourceType\":\"Patient\"}", "application/fhir+json")).build();

            // one client for all: a blocking caller waits for handleAsync; a caller that is not on an IO
            // thread has its requests handed to the client's own IO thread
            Response blocking = forward.handleAsync(get).toCompletableFuture().join(); // as a blocking caller waits
            Response loop = forward.handleAsync(get).toCompletableFuture().get(5, TimeUnit.SECONDS);
            Response posted = forward.handleAsync(post).toCompletableFuture().get(5, TimeUnit.SECONDS);

            for (Response r : List.of(blocking, loop)) {
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.headers().first("X-Upstream")).contains("yes");
                JsonNode seen = Json.mapper().readTree(r.body().bytes());
                assertThat(seen.get("path").asText()).isEqualTo("/base/echo");
                assertThat(seen.get("query").asText()).isEqualTo("a=1");
                assertThat(seen.at("/headers/x-request-id").asText()).isEqualTo("r-2");
                assertThat(seen.at("/headers/x-forwarded-for").asText()).isEqualTo("127.0.0.9");
                assertThat(seen.at("/headers/x-forwarded-proto").asText()).isEqualTo("https");
                assertThat(seen.at("/bodyLength").asInt()).isZero();
            }
            JsonNode seen = Json.mapper().readTree(posted.body().bytes());
            assertThat(seen.get("method").asText()).isEqualTo("POST");
            assertThat(seen.at("/headers/x-request-id").asText()).isEqualTo("r-3");
            assertThat(seen.at("/bodyLength").asInt()).isEqualTo(26);
        } finally {
            forward.stop();
        }
    }

    @Test
    void misconfigurationNamesTheOption() {
        assertThatThrownBy(() -> HttpForward.to(URI.create("ftp://x/")).build()).hasMessageContaining("HttpForward");
        assertThatThrownBy(() -> HttpForward.to(URI.create("http://x/?a=1")).build()).hasMessageContaining("without query");
        assertThatThrownBy(() -> HttpForward.to(URI.create("http://x/")).readTimeout(Duration.ZERO).build())
                .hasMessageContaining("HttpForward.readTimeout");
        assertThat(HttpForward.to(URI.create("http://user:pw@fhir.local:8080/fhir")).build().describe().detail())
                .isEqualTo("http://fhir.local:8080/fhir").doesNotContain("pw");
    }

    // --- helpers ---

    private interface Script {
        void handle(HttpExchange exchange) throws IOException;
    }

    private void startUpstream(Map<String, Script> routes) throws IOException {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.setExecutor(upstreamThreads);
        routes.forEach((path, script) -> upstream.createContext(path, ex -> {
            try {
                script.handle(ex);
            } finally {
                ex.close();
            }
        }));
        upstream.start();
    }

    private void echo(HttpExchange ex) throws IOException {
        Map<String, String> headers = new TreeMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
        var node = Json.mapper().createObjectNode();
        node.put("method", ex.getRequestMethod());
        node.put("bodyLength", ex.getRequestBody().readAllBytes().length);
        node.put("path", ex.getRequestURI().getRawPath());
        node.put("query", ex.getRequestURI().getRawQuery());
        node.set("headers", Json.mapper().valueToTree(headers));
        byte[] body = Json.mapper().writeValueAsBytes(node);
        ex.getResponseHeaders().add("X-Upstream", "yes");
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
    }

    private static boolean await(CountDownLatch latch, int seconds) {
        try {
            return latch.await(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Reads exactly {@code n} characters (the bodies here are ASCII JSON, so characters are bytes). */
    private static String readChars(BufferedReader in, int n) throws IOException {
        char[] chars = new char[n];
        int read = 0;
        while (read < n) {
            int r = in.read(chars, read, n - read);
            if (r < 0) {
                throw new IOException("connection closed after " + read + " of " + n + " characters");
            }
            read += r;
        }
        return new String(chars);
    }

    /** Sends one raw HTTP/1.1 request (so hop-by-hop headers can be set) and returns the body. */
    private static String rawExchange(int port, String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            assertThat(in.readLine()).startsWith("HTTP/1.1 200");
            int length = -1;
            boolean chunked = false;
            for (String line = in.readLine(); !line.isEmpty(); line = in.readLine()) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).strip());
                }
                chunked |= line.toLowerCase().startsWith("transfer-encoding:") && line.toLowerCase().contains("chunked");
            }
            if (chunked) {
                StringBuilder body = new StringBuilder();
                for (int size = Integer.parseInt(in.readLine().strip(), 16); size > 0;
                        size = Integer.parseInt(in.readLine().strip(), 16)) {
                    body.append(readChars(in, size));
                    in.readLine(); // CRLF after the chunk
                }
                return body.toString();
            }
            if (length < 0) { // Connection: close without a length: the body runs to the end of the stream
                StringBuilder body = new StringBuilder();
                for (int c; (c = in.read()) != -1; ) {
                    body.append((char) c);
                }
                return body.toString();
            }
            return readChars(in, length);
        }
    }
}
