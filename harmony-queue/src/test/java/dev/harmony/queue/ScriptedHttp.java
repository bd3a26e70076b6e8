package dev.harmony.queue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.function.Function;

/** A real HTTP server on a loopback port whose answers a test scripts; it records what it received. */
final class ScriptedHttp implements AutoCloseable {
    record Received(String method, String path, Map<String, List<String>> headers, String body) {
        String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }
    }

    record Answer(int status, String body, Map<String, String> headers) {
        static Answer of(int status) {
            return new Answer(status, status < 300 ? "{\"resourceType\":\"Patient\",\"id\":\"1\"}"
                    : "{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\"x\","
                            + "\"diagnostics\":\"scripted " + status + "\"}]}", Map.of());
        }
    }

    final List<Received> received = new CopyOnWriteArrayList<>();
    final CountDownLatch release = new CountDownLatch(1);
    private final HttpServer server;

    /** {@code script} gets the request (already recorded, numbered from 1) and returns the answer; null: hang until released. */
    ScriptedHttp(int port, Function<Received, Answer> script) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Received r = new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    Map.copyOf(exchange.getRequestHeaders()), body);
            received.add(r);
            Answer a = script.apply(r);
            if (a == null) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                a = Answer.of(201);
            }
            byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/fhir+json");
            a.headers().forEach(exchange.getResponseHeaders()::set);
            try {
                exchange.sendResponseHeaders(a.status(), out.length);
                try (OutputStream os = exchange.getResponseBody()) {
                    os.write(out);
                }
            } catch (IOException gone) {
                exchange.close(); // the client is gone (killed): nothing to answer
            }
        });
        server.start();
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/fhir");
    }

    long countContaining(String text) {
        return received.stream().filter(r -> r.body().contains(text)).count();
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
