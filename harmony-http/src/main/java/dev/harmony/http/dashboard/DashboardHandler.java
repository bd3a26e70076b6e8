package dev.harmony.http.dashboard;

import dev.harmony.diagram.DiagramRenderer;
import dev.harmony.pipeline.Pipeline;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Routes the dashboard's read-only resources: the page, the JSON figures, one pipeline's SVG and the
 * Prometheus scrape endpoint.
 */
final class DashboardHandler implements HttpHandler {
    private static final String SVG_PREFIX = "/pipelines/";
    private static final String CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
            + "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final Supplier<List<Pipeline>> pipelines;
    private final PipelineMetrics metrics;
    private final QueueSource queues;
    private final DashboardAccess access;
    private final boolean loopbackOnly;

    DashboardHandler(Supplier<List<Pipeline>> pipelines, PipelineMetrics metrics, QueueSource queues,
            DashboardAccess access, boolean loopbackOnly) {
        this.pipelines = pipelines;
        this.metrics = metrics;
        this.queues = queues;
        this.access = access;
        this.loopbackOnly = loopbackOnly;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        exchange.getResponseHeaders().put(new HttpString("X-Content-Type-Options"), "nosniff");
        if (loopbackOnly && !isLocalHost(exchange.getHostName())) {
            // a web page whose DNS name was rebound to 127.0.0.1 must not read the dashboard
            send(exchange, 421, "text/plain; charset=utf-8", "the dashboard answers only to 127.0.0.1 or localhost\n");
            return;
        }
        if (!access.allows(exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION))) {
            access.challenges().forEach(c -> exchange.getResponseHeaders().add(Headers.WWW_AUTHENTICATE, c));
            send(exchange, 401, "text/plain; charset=utf-8", "credentials required\n");
            return;
        }
        boolean head = exchange.getRequestMethod().equals(Methods.HEAD);
        if (!head && !exchange.getRequestMethod().equals(Methods.GET)) {
            exchange.getResponseHeaders().put(Headers.ALLOW, "GET, HEAD");
            send(exchange, 405, "text/plain; charset=utf-8", "the dashboard is read-only\n");
            return;
        }
        String path = exchange.getRelativePath();
        if (path.equals("/") || path.isEmpty()) {
            exchange.getResponseHeaders().put(new HttpString("Content-Security-Policy"), CSP);
            send(exchange, 200, "text/html; charset=utf-8", DashboardPage.render(pipelines.get(), queues.queueFigures()));
        } else if (path.equals("/api/pipelines")) {
            send(exchange, 200, "application/json", DashboardJson.render(pipelines.get(), metrics, queues.queueFigures()));
        } else if (path.equals("/metrics")) {
            send(exchange, 200, PrometheusText.CONTENT_TYPE, PrometheusText.render(pipelines.get(), metrics));
        } else if (path.startsWith(SVG_PREFIX) && path.endsWith(".svg")) {
            String name = path.substring(SVG_PREFIX.length(), path.length() - ".svg".length());
            Optional<Pipeline> p = pipelines.get().stream().filter(x -> x.name().equals(name)).findFirst();
            if (p.isPresent()) {
                send(exchange, 200, "image/svg+xml", DiagramRenderer.svg().render(p.get().diagram()));
            } else {
                send(exchange, 404, "text/plain; charset=utf-8", "no running pipeline named '" + name + "'\n");
            }
        } else {
            send(exchange, 404, "text/plain; charset=utf-8", "not found; try /, /api/pipelines or /metrics\n");
        }
    }

    /** An IP literal or {@code localhost}: what a browser sends when pointed at a loopback dashboard. */
    static boolean isLocalHost(String host) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.endsWith(".localhost") || h.matches("[0-9.]+") || h.contains(":");
    }

    private static void send(HttpServerExchange exchange, int status, String contentType, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, contentType);
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, bytes.length);
        if (exchange.getRequestMethod().equals(Methods.HEAD)) {
            exchange.endExchange();
        } else {
            exchange.getResponseSender().send(ByteBuffer.wrap(bytes));
        }
    }
}
