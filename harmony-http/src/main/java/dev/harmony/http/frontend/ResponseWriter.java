package dev.harmony.http.frontend;

import dev.harmony.message.Body;
import dev.harmony.message.Headers;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Rejection;
import dev.harmony.pipeline.RejectionRenderer;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

/**
 * Writes a pipeline response to the wire: a rejection as its kind's status, its headers, a
 * {@code Retry-After} and a body from the ingress's {@link RejectionRenderer}; anything else with its
 * own status, headers and (streamed) body. A body that is not written (HEAD, 204, 304, errors) is
 * still closed so an upstream connection behind it is released.
 */
final class ResponseWriter {
    private final RejectionRenderer renderer;

    ResponseWriter(RejectionRenderer renderer) {
        this.renderer = renderer;
    }

    void write(HttpServerExchange exchange, Response response, boolean head) throws IOException {
        Rejection rejection = response.rejection().orElse(null);
        int status = response.status();
        Body body = response.body();
        Headers headers = response.headers();
        if (rejection != null) {
            discard(body);
            status = rejection.kind().status();
            body = renderer.render(rejection);
            Headers.Builder merged = headers.toBuilder();
            rejection.headers().asMap().forEach((name, values) -> {
                merged.remove(name);
                values.forEach(v -> merged.add(name, v));
            });
            if (rejection.retryAfter().isPresent() && !headers.contains("Retry-After")) {
                long millis = rejection.retryAfter().get().toMillis();
                merged.set("Retry-After", Long.toString(Math.max(1, (millis + 999) / 1000)));
            }
            merged.remove("Content-Type");
            headers = merged.build();
        }
        exchange.setStatusCode(status);
        HeaderMap out = exchange.getResponseHeaders();
        for (Map.Entry<String, List<String>> h : headers.asMap().entrySet()) {
            if (!HopByHop.is(h.getKey())) {
                out.addAll(HttpString.tryFromString(h.getKey()), h.getValue());
            }
        }
        if (!headers.contains("Content-Type")) {
            body.contentType().ifPresent(ct -> out.put(io.undertow.util.Headers.CONTENT_TYPE, ct));
        }
        boolean noBody = head || status == 204 || status == 304 || status < 200;
        long length = body.length();
        if (head) {
            headers.first("Content-Length").ifPresent(v -> out.put(io.undertow.util.Headers.CONTENT_LENGTH, v));
        } else if (!noBody && length >= 0) {
            out.put(io.undertow.util.Headers.CONTENT_LENGTH, length);
        }
        if (noBody) {
            discard(body);
            return;
        }
        OutputStream stream = exchange.getOutputStream();
        if (body.isRepeatable()) {
            body.writeTo(stream);
        } else {
            copyFlushingOnPause(body, stream);
        }
        stream.close();
    }

    /** Streams a one-shot body, flushing whenever the source pauses so the client sees data as it comes. */
    private static void copyFlushingOnPause(Body body, OutputStream out) throws IOException {
        try (InputStream in = body.stream()) {
            byte[] buffer = new byte[16 * 1024];
            for (int n; (n = in.read(buffer)) != -1; ) {
                out.write(buffer, 0, n);
                if (in.available() <= 0) {
                    out.flush();
                }
            }
        }
    }

    /** Closes a one-shot body nobody will read, releasing whatever holds it open. */
    static void discard(Body body) {
        if (body.isRepeatable()) {
            return;
        }
        try {
            body.stream().close();
        } catch (IllegalStateException alreadyConsumed) {
            // someone read it; its reader closed it
        } catch (IOException ignored) {
            // nothing more to release
        }
    }
}
