package dev.harmony.http.frontend;

import dev.harmony.message.Response;
import dev.harmony.pipeline.Rejection;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.SameThreadExecutor;
import java.util.function.Function;

/**
 * What every request on a port must pass before it reaches a prefix, on top of what Undertow's parser
 * already refuses (see {@link ParserErrors}): framing the ingress can follow unambiguously, an
 * {@code Expect} it can meet, a request target within the limit and without path tricks. A refusal
 * is rendered by the ingress whose prefix the path falls under; when the framing of the body can no
 * longer be trusted, the connection is closed after the answer.
 */
final class StrictRequests implements HttpHandler {
    private final HttpHandler next;
    private final int maxUriLength;
    private final Function<String, ResponseWriter> writers;

    StrictRequests(HttpHandler next, int maxUriLength, Function<String, ResponseWriter> writers) {
        this.next = next;
        this.maxUriLength = maxUriLength;
        this.writers = writers;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        ParserErrors.handling(exchange);
        Rejection refused = check(exchange);
        if (refused == null && exchange.getRequestHeaders().contains(Headers.TRANSFER_ENCODING)) {
            String problem = ParserErrors.checkChunks(exchange);
            refused = problem == null ? null : Rejection.malformed("invalid chunked request body: " + problem);
        }
        if (refused == null) {
            next.handleRequest(exchange);
            return;
        }
        if (!exchange.isRequestComplete()) {
            exchange.setPersistent(false); // the body is not read; where it ends may be unknowable
        }
        ResponseWriter writer = writers.apply(exchange.getRequestPath());
        boolean head = exchange.getRequestMethod().equals(Methods.HEAD);
        Response answer = Response.rejected(refused);
        exchange.dispatch(SameThreadExecutor.INSTANCE, () -> writer.writeFromIoThread(exchange, answer, head));
    }

    /** Why the request is refused, or null. */
    private Rejection check(HttpServerExchange exchange) {
        HeaderMap headers = exchange.getRequestHeaders();
        // Undertow already answers 400 to Content-Length with Transfer-Encoding, and to repeats of either.
        HeaderValues te = headers.get(Headers.TRANSFER_ENCODING);
        if (te != null && !"chunked".equalsIgnoreCase(te.getFirst())) {
            // Undertow reads any coding but identity as chunked; only chunked is what it means.
            return Rejection.of(Rejection.Kind.NOT_IMPLEMENTED, "transfer coding '" + printable(te.getFirst())
                    + "' is not supported; only chunked is");
        }
        HeaderValues cl = headers.get(Headers.CONTENT_LENGTH);
        if (cl != null && !digits(cl.getFirst())) {
            return Rejection.malformed("Content-Length must be a decimal number of bytes");
        }
        HeaderValues expect = headers.get(Headers.EXPECT);
        if (expect != null && (expect.size() > 1 || !"100-continue".equalsIgnoreCase(expect.getFirst().strip()))) {
            return Rejection.of(Rejection.Kind.EXPECTATION_FAILED, "the only expectation supported is 100-continue");
        }
        String target = exchange.getRequestURI();
        String query = exchange.getQueryString();
        if (target.length() + query.length() > maxUriLength) {
            return Rejection.of(Rejection.Kind.URI_TOO_LONG, "the request target is longer than the limit of "
                    + maxUriLength + " characters");
        }
        String problem = RequestPaths.problem(exchange.getRequestPath());
        if (problem == null) {
            problem = RequestPaths.queryProblem(query);
        }
        return problem == null ? null : Rejection.malformed(problem);
    }

    private static boolean digits(String value) {
        if (value.isEmpty() || value.length() > 18) {
            return false; // 18 digits always fit a long
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** A client's header value fit to show back: printable ASCII only, at most 40 characters. */
    private static String printable(String value) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < value.length() && b.length() < 40; i++) {
            char c = value.charAt(i);
            b.append(c >= 0x20 && c < 0x7f && c != '\'' ? c : '?');
        }
        return b.toString();
    }
}
