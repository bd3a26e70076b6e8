package dev.harmony.http.backend;

import dev.harmony.message.Body;
import dev.harmony.message.Headers;
import dev.harmony.message.Response;
import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.ClientExchange;
import io.undertow.client.ClientRequest;
import io.undertow.client.ClientResponse;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.HttpString;
import io.undertow.util.Protocols;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.xnio.XnioExecutor;
import org.xnio.channels.StreamSourceChannel;

/**
 * One request on its way through an {@link EventLoopPool}: send, wait for the head, read a small body
 * or hand out a stream, then give the connection back. Runs on the pool's I/O thread, except the
 * stream, which calls {@link #streamEnded} from the reading thread.
 */
final class EventLoopExchange implements ClientCallback<ClientExchange> {
    /** RFC 9110 9.2.2: only these may be resent without knowing whether the upstream acted on them. */
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection", "te",
            "trailer", "transfer-encoding", "upgrade");

    /**
     * An HTTP/1.1 body with neither Content-Length nor chunking ends when the upstream closes; Undertow's
     * client reads it as empty instead, so we refuse it rather than pass on a silently empty body.
     */
    private static final long UNDELIMITED = -2;

    final CompletableFuture<Response> result = new CompletableFuture<>();
    private final EventLoopClient client;
    private final String method;
    private final String target;
    private final Headers headers;
    private EventLoopPool pool;
    private ClientConnection connection;
    private boolean reused;
    private boolean retried;
    private boolean headReceived;
    /** Set once the connection went back to the pool or was closed, so late callbacks do nothing. */
    private boolean settled;
    private XnioExecutor.Key readTimer;
    /** While the exchange waits in its pool's queue; the pool cancels it on dequeue. */
    XnioExecutor.Key queueTimer;

    EventLoopExchange(EventLoopClient client, String method, String target, Headers headers) {
        this.client = client;
        this.method = method;
        this.target = target;
        this.headers = headers;
    }

    void start(EventLoopPool owner, ClientConnection on, boolean isReused) {
        pool = owner;
        connection = on;
        reused = isReused;
        settled = false;
        ClientRequest request = new ClientRequest().setMethod(HttpString.tryFromString(method)).setPath(target);
        HeaderMap out = request.getRequestHeaders();
        headers.forEach((name, values) -> out.addAll(HttpString.tryFromString(name), values));
        // the body-less framing is ours: Undertow then sends no body and finishes the request by itself
        out.remove(io.undertow.util.Headers.CONTENT_LENGTH);
        out.remove(io.undertow.util.Headers.TRANSFER_ENCODING);
        out.put(io.undertow.util.Headers.HOST, client.hostHeader);
        readTimer = pool.ioThread.executeAfter(this::timedOut, client.readTimeoutMillis, TimeUnit.MILLISECONDS);
        connection.sendRequest(request, this);
    }

    /** First called when the request is under way (no response yet), then again with the response head. */
    @Override
    public void completed(ClientExchange exchange) {
        if (exchange.getResponse() == null) {
            exchange.setResponseListener(this);
        } else if (!settled) {
            onHead(exchange);
        }
    }

    @Override
    public void failed(IOException e) {
        // an idle keep-alive connection the upstream had closed: resend once, if the method allows it
        giveUp(e, reused && !retried && !headReceived && IDEMPOTENT.contains(method));
    }

    private void timedOut() {
        giveUp(new SocketTimeoutException("no answer from " + client.origin + " within " + client.readTimeoutMillis
                + " ms"), false);
    }

    private void onHead(ClientExchange exchange) {
        headReceived = true;
        ClientResponse head = exchange.getResponse();
        int status = head.getResponseCode();
        if (status < 100 || status > 599) {
            failed(new IOException("upstream " + client.origin + " answered an invalid status " + status));
            return;
        }
        HeaderMap upstream = head.getResponseHeaders();
        Response response = Response.of(status).withHeaders(endToEnd(upstream));
        String contentType = upstream.getFirst(io.undertow.util.Headers.CONTENT_TYPE);
        long length = declaredLength(head);
        StreamSourceChannel channel = exchange.getResponseChannel();
        boolean headRequest = "HEAD".equalsIgnoreCase(method);
        if (headRequest || status < 200 || status == 204 || status == 304) {
            // Undertow waits for a body only if the upstream declared one against the rules: then don't reuse
            // a 1xx (101 above all) leaves the connection in another protocol: never reuse it
            boolean clean = (headRequest || length == 0 || length == UNDELIMITED) && status >= 200;
            finish(clean && endsNow(channel), response.withBody(Body.empty()));
        } else if (length == UNDELIMITED) {
            failed(new IOException("upstream " + client.origin + " answered " + status + " without Content-Length"
                    + " or chunked encoding (a body ended by closing the connection), which is not supported"));
        } else if (length >= 0 && length <= EventLoopClient.SMALL_BODY) {
            readSmall(channel, ByteBuffer.allocate((int) length), response, contentType);
        } else {
            readTimer.remove(); // the stream applies the read timeout to each blocking read
            result.complete(response.withBody(Body.ofStream(
                    new EventLoopBodyStream(channel, length, client.readTimeoutMillis, this), length, contentType)));
        }
    }

    /** Reads a declared small body as far as it has arrived; the rest when the channel says readable. */
    private void readSmall(StreamSourceChannel channel, ByteBuffer into, Response response, String contentType) {
        try {
            int n;
            while ((n = channel.read(into)) > 0) {
                // keep reading: the read that returns -1 is the one that frees the connection in Undertow
            }
            if (n == 0 && into.hasRemaining()) {
                channel.getReadSetter().set(ready -> readSmall(channel, into, response, contentType));
                channel.resumeReads();
            } else if (n == -1 && into.hasRemaining()) {
                throw new IOException("upstream " + client.origin + " closed after " + into.position() + " of "
                        + into.capacity() + " body bytes");
            } else { // all declared bytes; not at the end per Undertow (n == 0): don't reuse
                finish(n == -1, response.withBody(Body.ofBytes(into.array(), contentType)));
            }
        } catch (IOException e) {
            failed(e);
        }
    }

    /** Whether the (empty) body ends right away; false leaves the connection unfit for reuse. */
    private static boolean endsNow(StreamSourceChannel channel) {
        try {
            return channel.read(ByteBuffer.allocate(0)) == -1;
        } catch (IOException e) {
            return false;
        }
    }

    private void finish(boolean reusable, Response response) {
        readTimer.remove();
        // back to the pool before completing: a follow-up request sent from the callback can reuse it
        handBack(reusable);
        result.complete(response);
    }

    private void giveUp(IOException e, boolean resend) {
        if (settled) {
            return;
        }
        readTimer.remove();
        settled = true;
        if (resend) {
            retried = true;
            pool.reconnect(connection, this);
        } else {
            pool.retire(connection);
            result.completeExceptionally(e);
        }
    }

    private void handBack(boolean reusable) {
        settled = true;
        if (reusable) {
            pool.release(connection);
        } else {
            pool.retire(connection);
        }
    }

    /** Called by the body stream from its reading thread once it hit the end, failed or was closed. */
    void streamEnded(boolean reusable) {
        pool.ioThread.execute(() -> {
            if (!settled) {
                handBack(reusable);
            }
        });
    }

    /** Content-Length; -1 if chunked or read to the close (HTTP/1.0); {@link #UNDELIMITED} (see there). */
    private static long declaredLength(ClientResponse head) {
        HeaderMap h = head.getResponseHeaders();
        String encoding = h.getLast(io.undertow.util.Headers.TRANSFER_ENCODING);
        if (encoding != null) { // Undertow de-chunks only a plain "chunked"; it would frame anything else wrong
            return "chunked".equalsIgnoreCase(encoding.strip()) ? -1 : UNDELIMITED;
        }
        String length = h.getFirst(io.undertow.util.Headers.CONTENT_LENGTH);
        if (length != null) {
            try {
                return Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return Protocols.HTTP_1_1.equals(head.getProtocol()) ? UNDELIMITED : -1;
    }

    /** The upstream's headers minus hop-by-hop ones (RFC 9110 7.6.1), including those Connection names. */
    private static Headers endToEnd(HeaderMap upstream) {
        Set<String> drop = HOP_BY_HOP;
        HeaderValues connection = upstream.get(io.undertow.util.Headers.CONNECTION);
        if (connection != null) {
            drop = new HashSet<>(HOP_BY_HOP);
            for (String value : connection) {
                for (String token : value.split(",")) {
                    drop.add(token.strip().toLowerCase(Locale.ROOT));
                }
            }
        }
        Headers.Builder kept = Headers.builder();
        for (HeaderValues values : upstream) {
            String name = values.getHeaderName().toString();
            if (!drop.contains(name.toLowerCase(Locale.ROOT))) {
                for (String value : values) {
                    kept.add(name, value);
                }
            }
        }
        return kept.build();
    }
}
