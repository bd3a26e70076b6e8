package dev.harmony.http.frontend;

import dev.harmony.http.HttpAttributes;
import dev.harmony.http.internal.HopByHop;
import dev.harmony.message.Attribute;
import dev.harmony.message.Attributes;
import dev.harmony.message.Body;
import dev.harmony.message.Headers;
import dev.harmony.message.Protocol;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Handler;
import dev.harmony.pipeline.Rejection;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import io.undertow.server.protocol.http.HttpServerConnection;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.SameThreadExecutor;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Undertow side of one ingress: turns each exchange into a {@link Request} and runs the pipeline
 * through {@link Handler#handleAsync} from the exchange's IO thread, so a pipeline of non-blocking
 * stages answers without any thread hand-off and blocking stages run on the worker pool. A request
 * body is a non-blocking {@link UploadSource} (a blocking stage reading it waits on its worker, not on
 * an IO thread): a slow or stalled upload holds no thread, each wait for body bytes has a timeout, and
 * at most {@code maxUploads} bodies are open at once (beyond: 503 with Retry-After).
 * Nothing thrown here escapes to Undertow: a failure becomes a 500 (or a closed connection if the
 * answer had already started).
 */
final class IngressHandler implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(IngressHandler.class);
    /** A refused upload bigger than the limit by more than this is not read and dropped: answer and close. */
    private static final long DRAIN_LIMIT = 16L * 1024 * 1024;
    private static final AttachmentKey<AtomicReference<Runnable>> CURRENT_UPLOAD = AttachmentKey.create(AtomicReference.class);

    private final Handler pipeline;
    private final String prefix;
    private final String scheme;
    private final long maxBodySize;
    private final long bodyTimeoutNanos;
    private final int maxUploads;
    private final AtomicInteger uploads = new AtomicInteger();
    private final TrustedProxies trustedProxies;
    private final String[] methods;
    private final String allow;
    private final ResponseWriter writer;

    IngressHandler(Handler pipeline, String prefix, boolean https, long maxBodySize, Duration bodyTimeout,
            int maxUploads, TrustedProxies trustedProxies, Set<String> methods, ResponseWriter writer) {
        this.pipeline = pipeline;
        this.prefix = prefix;
        this.scheme = https ? "https" : "http";
        this.maxBodySize = maxBodySize;
        this.bodyTimeoutNanos = bodyTimeout.toNanos();
        this.maxUploads = maxUploads;
        this.trustedProxies = trustedProxies;
        this.methods = methods.toArray(String[]::new);
        this.allow = String.join(", ", new TreeSet<>(methods));
        this.writer = writer;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        Response refused = refuse(exchange);
        if (refused != null) {
            boolean head = exchange.getRequestMethod().equals(Methods.HEAD);
            exchange.dispatch(SameThreadExecutor.INSTANCE, () -> writer.writeFromIoThread(exchange, refused, head));
            return;
        }
        // Run the pipeline from this IO thread once the handler returns: non-blocking stages stay
        // here, the rest goes to the worker pool (see Handler.handleAsync).
        exchange.dispatch(SameThreadExecutor.INSTANCE, () -> serveAsync(exchange));
    }

    /**
     * Refuses, before anything is read, a method this ingress does not take (405 with {@code Allow}) and
     * a GET or HEAD body it will not discard: chunked (400) or over the body limit (413). Either way the
     * connection closes unless the body is small enough for Undertow to discard; a GET or HEAD body
     * that is kept is never passed on (see {@link #bodyIgnored}).
     */
    private Response refuse(HttpServerExchange exchange) {
        String method = exchange.getRequestMethod().toString();
        boolean taken = false;
        for (String m : methods) {
            if (m.equals(method)) { // case-sensitive (RFC 9110 9.1), unlike HttpString.equals
                taken = true;
                break;
            }
        }
        Rejection no = null;
        if (!taken) {
            no = Rejection.of(Rejection.Kind.METHOD_NOT_ALLOWED, "this endpoint does not take " + method
                    + "; it takes " + allow).withHeader("Allow", allow);
        } else if (bodyIgnored(exchange)) {
            if (exchange.getRequestHeaders().contains(io.undertow.util.Headers.TRANSFER_ENCODING)) {
                no = Rejection.malformed("a " + method + " request must not have a chunked body");
            } else if (exchange.getRequestContentLength() > maxBodySize) {
                no = Rejection.payloadTooLarge("request body of " + exchange.getRequestContentLength()
                        + " bytes exceeds the limit of " + maxBodySize + " bytes");
            }
        }
        if (no == null) {
            return null;
        }
        if (!exchange.isRequestComplete() && (exchange.getRequestContentLength() < 0
                || exchange.getRequestContentLength() > DRAIN_LIMIT)) {
            exchange.setPersistent(false);
        }
        return Response.rejected(no);
    }

    /** GET and HEAD bodies have no meaning (RFC 9110 9.3.1): Undertow reads and drops them after the answer. */
    private static boolean bodyIgnored(HttpServerExchange exchange) {
        HttpString method = exchange.getRequestMethod();
        return method.equals(Methods.GET) || method.equals(Methods.HEAD);
    }

    private static boolean hasBody(HttpServerExchange exchange) {
        return (exchange.getRequestContentLength() > 0
                || exchange.getRequestHeaders().contains(io.undertow.util.Headers.TRANSFER_ENCODING))
                && !bodyIgnored(exchange);
    }

    /** Runs an exchange without blocking this IO thread; the answer is written from this IO thread. */
    private void serveAsync(HttpServerExchange exchange) {
        boolean head = exchange.getRequestMethod().equals(Methods.HEAD);
        UploadSource[] upload = {null};
        Object parsed;
        try {
            parsed = parse(exchange, upload);
        } catch (RuntimeException e) {
            LOG.error("HTTP ingress {}: cannot read {} {}", prefix, exchange.getRequestMethod(), exchange.getRequestURI(), e);
            parsed = internalError();
        }
        if (parsed instanceof Response refused) {
            if (upload[0] != null) {
                upload[0].answered();
            } else if (hasBody(exchange)) {
                UploadSource.limitDrain(exchange, bodyTimeoutNanos);
            }
            writer.writeFromIoThread(exchange, refused, head);
            return;
        }
        if (upload[0] == null) {
            keepReading(exchange);
        }
        Request request = (Request) parsed;
        pipeline.handleAsync(request, exchange.getConnection().getWorker())
                .whenComplete((response, failure) -> {
                    Response answer = forClient(exchange, request, upload[0], response != null ? response : internalError());
                    if (exchange.getIoThread() == Thread.currentThread()) {
                        answer(exchange, upload[0], answer, head);
                    } else {
                        exchange.getIoThread().execute(() -> answer(exchange, upload[0], answer, head));
                    }
                });
    }

    private void answer(HttpServerExchange exchange, UploadSource upload, Response answer, boolean head) {
        if (upload != null) {
            upload.answered();
        }
        writer.writeFromIoThread(exchange, answer, head);
    }

    /**
     * Undertow stops reading a connection while its exchange runs and starts again once it ends. When the
     * answer comes on a later turn of the event loop (it waits for an upstream), that is two epoll_ctl calls
     * per request. Reading stays on instead, which is safe because should the client send more meanwhile
     * (a pipelined request, or it hangs up), Undertow's read listener finds its exchange still running and
     * stops reading itself, as it would have done anyway. Not with TLS, whose conduit needs reads off.
     */
    private static void keepReading(HttpServerExchange exchange) {
        if (exchange.getConnection() instanceof HttpServerConnection c && c.getSslSession() == null) {
            c.getOriginalSourceConduit().resumeReads();
        }
    }

    /** The exchange as a pipeline {@link Request}, or the {@link Response} refusing it before the pipeline. */
    private Object parse(HttpServerExchange exchange, UploadSource[] upload) {
        String path = exchange.getRelativePath();
        if (path.isEmpty()) {
            path = "/";
        }
        String query = exchange.getQueryString();
        try {
            path = utf8(path);
            query = utf8(query);
        } catch (CharacterCodingException e) {
            return Response.rejected(Rejection.malformed("request target is not valid UTF-8"));
        }
        boolean bodyless = bodyIgnored(exchange);
        long declared = bodyless ? -1 : exchange.getRequestContentLength();
        if (declared > maxBodySize) {
            if (declared - maxBodySize > DRAIN_LIMIT) {
                exchange.setPersistent(false); // not worth reading: answer and close
            }
            return Response.rejected(Rejection.payloadTooLarge("request body of " + declared
                    + " bytes exceeds the limit of " + maxBodySize + " bytes"));
        }
        InetSocketAddress peer = exchange.getSourceAddress();
        boolean peerTrusted = !trustedProxies.isEmpty() && peer != null && peer.getAddress() != null
                && trustedProxies.trusts(peer.getAddress());
        Headers headers = headers(exchange, peerTrusted, bodyless);
        Attributes attributes = Attributes.empty()
                .with(Attribute.EXCHANGE_ID, CorrelationIds.next())
                .with(HttpAttributes.SCHEME, scheme)
                .with(HttpAttributes.PATH_PREFIX, prefix);
        if (peer != null) {
            attributes = attributes.with(HttpAttributes.PEER_ADDRESS, peer)
                    .with(Attribute.REMOTE_ADDRESS, trustedProxies.resolve(peer, peerTrusted ? hops(headers) : List.of()));
        }
        String host = exchange.getRequestHeaders().getFirst(io.undertow.util.Headers.HOST);
        if (host != null) {
            attributes = attributes.with(HttpAttributes.HOST, host);
        }
        Body body = Body.empty();
        if (hasBody(exchange)) {
            if (uploads.incrementAndGet() > maxUploads) {
                uploads.decrementAndGet();
                return Response.rejected(Rejection.unavailable("too many uploads in progress")
                        .withRetryAfter(Duration.ofSeconds(1)));
            }
            AtomicBoolean counted = new AtomicBoolean(true);
            Runnable release = () -> {
                if (counted.getAndSet(false)) {
                    uploads.decrementAndGet();
                }
            };
            exchange.addExchangeCompleteListener((ex, next) -> {
                release.run();
                next.proceed();
            });
            releaseOnClose(exchange.getConnection(), release);
            upload[0] = new UploadSource(exchange, declared, maxBodySize, bodyTimeoutNanos, release);
            String contentType = exchange.getRequestHeaders().getFirst(io.undertow.util.Headers.CONTENT_TYPE);
            body = Body.ofSource(upload[0], declared > 0 ? declared : -1, contentType).withLimit(maxBodySize);
        }
        return Request.builder(Protocol.HTTP, exchange.getRequestMethod().toString())
                .path(path)
                .query(query)
                .headers(headers)
                .attributes(attributes)
                .body(body)
                .build();
    }

    /**
     * A connection closed mid-upload (the client hung up, a timeout cut it off) ends no exchange: its upload
     * is released by the connection's one close listener, which always holds the current upload's release.
     */
    private static void releaseOnClose(ServerConnection connection, Runnable release) {
        AtomicReference<Runnable> current = connection.getAttachment(CURRENT_UPLOAD);
        if (current == null) {
            AtomicReference<Runnable> fresh = new AtomicReference<>();
            connection.putAttachment(CURRENT_UPLOAD, fresh);
            connection.addCloseListener(c -> {
                Runnable r = fresh.getAndSet(null);
                if (r != null) {
                    r.run();
                }
            });
            current = fresh;
        }
        current.set(release);
    }

    /**
     * What the client gets to see of {@code response}: a request whose body framing broke while the
     * pipeline read it is answered 400 on a closing connection, whatever the pipeline made of the broken
     * read; and an internal or upstream failure shows no exception text or upstream address, only the
     * correlation id under which the ingress logs the original.
     */
    private Response forClient(HttpServerExchange exchange, Request request, UploadSource upload, Response response) {
        if (upload != null && upload.framingBroken()) {
            exchange.setPersistent(false);
            ResponseWriter.discard(response.body());
            return Response.rejected(Rejection.malformed("the request body could not be read: its framing is invalid"
                    + " or the connection broke"));
        }
        Rejection r = response.rejection().orElse(null);
        if (r == null) {
            return response;
        }
        String shown = switch (r.kind()) {
            case INTERNAL -> "internal error";
            case UPSTREAM_UNAVAILABLE -> "the upstream server is unreachable or failed";
            case UPSTREAM_TIMEOUT -> "the upstream server did not answer in time";
            default -> null;
        };
        if (shown == null) {
            return response;
        }
        String id = request.attribute(Attribute.EXCHANGE_ID).orElse("-");
        LOG.warn("[{}] HTTP ingress {}: {} {} answered {}: {}", id, prefix, request.operation(), request.path(),
                r.kind().status(), r.message());
        Rejection safe = Rejection.of(r.kind(), shown + " (correlation id " + id + ")").withHeaders(r.headers());
        if (r.retryAfter().isPresent()) {
            safe = safe.withRetryAfter(r.retryAfter().get());
        }
        if (r.reason().isPresent()) {
            safe = safe.withReason(r.reason().get());
        }
        return Response.rejected(safe);
    }

    /** The proxy chain a trusted peer reports: {@code X-Forwarded-For}, else {@code Forwarded: for=}. */
    private static List<String> hops(Headers headers) {
        List<String> xff = headers.all("X-Forwarded-For");
        return xff.isEmpty() ? TrustedProxies.forwardedFor(headers.all("Forwarded")) : xff;
    }

    private static Response internalError() {
        return Response.rejected(Rejection.internal("internal error in the HTTP ingress"));
    }

    /**
     * Request headers minus connection-level ones; headers that speak for a proxy only from trusted
     * proxies; no Content-Length for a body that is dropped.
     */
    private static Headers headers(HttpServerExchange exchange, boolean peerTrusted, boolean bodyless) {
        Headers.Builder b = Headers.builder();
        Set<String> named = HopByHop.namedIn(exchange.getRequestHeaders().get(io.undertow.util.Headers.CONNECTION));
        if (named.contains("close")) {
            exchange.setPersistent(false); // Undertow honours only a bare "close", not one in a list (RFC 9112 §9.6)
        }
        for (HeaderValues values : exchange.getRequestHeaders()) {
            String name = values.getHeaderName().toString();
            if (HopByHop.is(name, named) || (bodyless && name.equalsIgnoreCase("Content-Length"))) {
                continue;
            }
            if (!peerTrusted && ProxyHeaders.is(name)) {
                continue; // any client can write these; only a trusted proxy's count
            }
            for (String v : values) {
                b.add(name, v);
            }
        }
        return b.build();
    }

    /**
     * Undertow hands raw bytes of the request target over one char per byte; raw UTF-8 (clients do send
     * it) becomes the text it stands for, so a stage sees "Zoë" and a forward encodes it once.
     */
    private static String utf8(String raw) throws CharacterCodingException {
        for (int i = 0; i < raw.length(); i++) {
            if (raw.charAt(i) >= 0x80) {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(raw.getBytes(StandardCharsets.ISO_8859_1))).toString();
            }
        }
        return raw;
    }
}
