package dev.harmony.http.frontend;

import dev.harmony.http.internal.HopByHop;
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
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;

/**
 * Writes a pipeline response to the wire: a rejection as its kind's status, its headers, a
 * {@code Retry-After} and a body from the ingress's {@link RejectionRenderer}; anything else with its
 * own status, headers and (streamed) body. A body that is not written (HEAD, 204, 304, errors) is
 * still closed so an upstream connection behind it is released.
 */
final class ResponseWriter {
    private static final Logger LOG = LoggerFactory.getLogger(ResponseWriter.class);
    /** Bodies up to this size with a known length are sent in one piece from the IO thread. */
    private static final int SMALL_BODY = 64 * 1024;
    /** Header names seen in answers, as Undertow's type; bounded so random names cannot grow it without end. */
    private static final Map<String, HttpString> HEADER_NAMES = new ConcurrentHashMap<>();
    private static final int MAX_HEADER_NAMES = 1024;
    private final RejectionRenderer renderer;

    ResponseWriter(RejectionRenderer renderer) {
        this.renderer = renderer;
    }

    RejectionRenderer renderer() {
        return renderer;
    }

    /**
     * Writes {@code response} and completes the exchange, called on the exchange's IO thread outside
     * a handler call. A body already in memory is sent from here without blocking; anything that has
     * to be read first (a stream, a file) is streamed from a worker thread. Never throws: if writing
     * fails the connection is closed, so a half-written answer cannot look complete.
     */
    void writeFromIoThread(HttpServerExchange exchange, Response response, boolean head) {
        try {
            Body body = prepare(exchange, response, head);
            if (body == null) {
                exchange.endExchange();
            } else if (body.isRepeatable() && body.file().isEmpty() && body.length() <= SMALL_BODY
                    && (body.length() >= 0 || body.bytes().length <= SMALL_BODY)) { // a rendered rejection, say
                byte[] bytes = body.bytes();
                exchange.getResponseHeaders().put(io.undertow.util.Headers.CONTENT_LENGTH, bytes.length);
                exchange.getResponseSender().send(ByteBuffer.wrap(bytes));
            } else {
                exchange.getConnection().getWorker().execute(() -> streamFromWorker(exchange, body));
            }
        } catch (Throwable t) {
            LOG.warn("HTTP ingress: failed to answer {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), t);
            abort(exchange);
        }
    }

    private static void streamFromWorker(HttpServerExchange exchange, Body body) {
        try {
            exchange.startBlocking(new AnswerOnlyBlocking(exchange));
            stream(exchange, body);
            exchange.endExchange();
        } catch (Throwable t) {
            LOG.warn("HTTP ingress: failed to stream the answer to {} {}", exchange.getRequestMethod(),
                    exchange.getRequestURI(), t);
            abort(exchange);
        }
    }

    private static void abort(HttpServerExchange exchange) {
        exchange.setPersistent(false);
        IoUtils.safeClose(exchange.getConnection());
    }

    /**
     * Sets status and headers for {@code response}: a rejection as its kind's status, its headers, a
     * {@code Retry-After} and a rendered body. Returns the body still to send, or null if the answer
     * has none (HEAD, 204, 304, 1xx); an unsent body is closed.
     */
    private Body prepare(HttpServerExchange exchange, Response response, boolean head) {
        Rejection rejection = response.rejection().orElse(null);
        int status = response.status();
        Body body = response.body();
        Headers headers = response.headers();
        if (rejection != null) {
            discard(body);
            status = rejection.kind().status();
            body = renderer.render(rejection);
            Headers.Builder merged = headers.toBuilder();
            rejection.headers().forEach((name, values) -> {
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
        headers.forEach((name, values) -> {
            if (!HopByHop.is(name, Set.of()) && !name.equalsIgnoreCase("Content-Length")) { // framing is ours
                out.addAll(headerName(name), values);
            }
        });
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
            return null;
        }
        return body;
    }

    /**
     * Undertow's name for a header. Undertow shares its own for the standard headers but makes a new
     * one each time for any other (RateLimit-Remaining, say): those are kept here, up to a bound.
     */
    private static HttpString headerName(String name) {
        HttpString known = HEADER_NAMES.get(name);
        if (known == null) {
            known = HttpString.tryFromString(name);
            if (HEADER_NAMES.size() < MAX_HEADER_NAMES) {
                HEADER_NAMES.put(name, known);
            }
        }
        return known;
    }

    /** Sends the body through the exchange's blocking output stream, then closes it. */
    private static void stream(HttpServerExchange exchange, Body body) throws IOException {
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
