package dev.harmony.examples.joltfhir;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** A real HTTP server on 127.0.0.1 that answers every request with one fixed FHIR answer, counting them. */
final class ScriptedFhirStore implements AutoCloseable {
    private final HttpServer server;
    final AtomicInteger requests = new AtomicInteger();
    final AtomicReference<String> lastAuthorization = new AtomicReference<>();

    ScriptedFhirStore(int status, String fhirJson) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            requests.incrementAndGet();
            lastAuthorization.set(ex.getRequestHeaders().getFirst("Authorization"));
            byte[] body = fhirJson.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/fhir+json");
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/fhir");
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
