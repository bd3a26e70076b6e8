package dev.harmony.http.frontend;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.nio.charset.StandardCharsets;

/** Answers requests outside every mounted prefix: 404 with a small JSON error. */
final class NotFoundHandler implements HttpHandler {
    static final NotFoundHandler INSTANCE = new NotFoundHandler();

    private NotFoundHandler() {
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        byte[] body = "{\"error\":\"not_found\",\"message\":\"no pipeline is mounted at this path\"}"
                .getBytes(StandardCharsets.UTF_8);
        exchange.setStatusCode(404);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.length);
        exchange.getResponseSender().send(java.nio.ByteBuffer.wrap(body));
    }
}
