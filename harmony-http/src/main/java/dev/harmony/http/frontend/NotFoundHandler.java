package dev.harmony.http.frontend;

import dev.harmony.message.Response;
import dev.harmony.pipeline.Rejection;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Methods;
import io.undertow.util.SameThreadExecutor;
import java.util.function.Supplier;

/** Answers requests outside every mounted prefix: a 404 rejection in the port's shape (see {@link SharedServer}). */
final class NotFoundHandler implements HttpHandler {
    private static final Response NOT_FOUND =
            Response.rejected(Rejection.of(Rejection.Kind.NOT_FOUND, "no pipeline is mounted at this path"));
    private final Supplier<ResponseWriter> writer;

    NotFoundHandler(Supplier<ResponseWriter> writer) {
        this.writer = writer;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        ResponseWriter w = writer.get();
        boolean head = exchange.getRequestMethod().equals(Methods.HEAD);
        exchange.dispatch(SameThreadExecutor.INSTANCE, () -> w.writeFromIoThread(exchange, NOT_FOUND, head));
    }
}
