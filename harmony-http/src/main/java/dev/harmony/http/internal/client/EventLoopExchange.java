package dev.harmony.http.internal.client;

import dev.harmony.message.Body;
import dev.harmony.message.Response;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.XnioExecutor;
import org.xnio.ssl.SslConnection;

/**
 * One request on its way through an {@link EventLoopPool}: write its head and body, parse the answer's
 * head, read a small body or hand out a stream, then give the connection back. Runs on the pool's I/O
 * thread, except the stream, which calls {@link #streamEnded} from the reading thread, and a streamed
 * request body's source, whose answers hop to the I/O thread.
 *
 * <p>A connection is reused only after a complete request and a complete, exactly delimited answer the
 * upstream agreed to keep alive; anything else (surplus bytes, an early answer to a half-sent body, a
 * failure) closes it.
 */
final class EventLoopExchange implements Body.Reader {
    private static final Logger LOG = LoggerFactory.getLogger(EventLoopExchange.class);
    /** RFC 9110 9.2.2: only these may be resent without knowing whether the upstream acted on them. */
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");
    /** An HTTP/1.1 body with neither Content-Length nor chunking: allowed, but we refuse it (see onHead). */
    static final long UNDELIMITED = -3;

    final CompletableFuture<Response> result = new CompletableFuture<>();
    private final EventLoopClient client;
    private final String method;
    /** The encoded request head, sent again as it is if the request is resent. */
    private final EventLoopRequestHead requestHead;
    /** The request body, or null. */
    private final OutgoingBody body;
    /** What a failure completes the result with (the caller's own terms, its diagnostics). */
    private final Function<Throwable, ? extends Throwable> failures;
    /** The streamed body's source once it was asked for bytes: then the request cannot be resent. */
    private Body.Source source;
    /** Waiting for the source's answer. */
    private boolean pulling;
    /** The streamed body's bytes so far, and whether it ended. */
    private long streamed;
    private boolean bodyDone;
    /** Stop using the source: the answer came early, or the exchange failed. */
    private boolean abandoned;
    private EventLoopPool pool;
    private EventLoopConnection connection;
    private boolean reused;
    private boolean retried;
    /** Set once the connection went back to the pool or was closed, so late callbacks do nothing. */
    private boolean settled;
    /** What is still to be written: the head, then the body's pieces (with chunk framing if chunked). */
    private ByteBuffer[] out;
    /** The whole request (head and body) was written. */
    private boolean sent;
    /** How far the head was already searched for its end (the search looks back over a split CRLFCRLF). */
    private int scanned;
    private EventLoopResponseHead head;
    private ByteBuffer smallBody;
    /** Bytes followed the answer: the upstream pipelines or lies about lengths; don't reuse. */
    private boolean surplus;
    /** While the exchange waits in its pool's queue; the pool cancels it on dequeue. */
    XnioExecutor.Key queueTimer;

    EventLoopExchange(EventLoopClient client, String method, EventLoopRequestHead requestHead, OutgoingBody body,
            Function<Throwable, ? extends Throwable> failures) {
        this.client = client;
        this.method = method;
        this.requestHead = requestHead;
        this.body = body;
        this.failures = failures;
    }

    void start(EventLoopPool owner, EventLoopConnection on, boolean isReused) {
        pool = owner;
        connection = on;
        reused = isReused;
        settled = false;
        scanned = 0;
        surplus = false;
        on.exchange = this;
        on.in.clear();
        on.awaitAnswerBy(System.nanoTime() + client.readTimeoutNanos, client.readTimeoutNanos);
        sent = false;
        // a whole body goes with the head in one write; a streamed one follows piece by piece
        out = body != null && body.isWhole() ? new ByteBuffer[] {requestHead.buffer(), body.wholeBuffer()}
                : new ByteBuffer[] {requestHead.buffer()};
        writable();
    }

    /** Writes what is pending; the sink's write listener finishes a partial write; then the next body piece. */
    void writable() {
        if (settled) {
            return;
        }
        try {
            connection.sink.write(out);
            if (out[out.length - 1].hasRemaining()) {
                connection.sink.resumeWrites();
                return;
            }
            if (connection.sink.isWriteResumed()) {
                connection.sink.suspendWrites();
            }
            if (body == null || body.isWhole() || bodyDone) {
                sent = true;
            } else if (!pulling && !abandoned) {
                pull();
            }
        } catch (IOException e) {
            failed(e);
        }
    }

    /** Asks the streamed body's source for more; the upstream owes nothing while we wait for the client. */
    private void pull() {
        if (source == null) {
            source = body.takeSource();
            if (source == null) {
                failed(new IOException("request body already consumed"));
                return;
            }
        }
        pulling = true;
        connection.answerArrived();
        source.read(this);
    }

    @Override
    public void onData(ByteBuffer data) {
        onIoThread(() -> {
            if (abandoned || settled) {
                return;
            }
            pulling = false;
            streamed += data.remaining();
            if (body.length >= 0 && streamed > body.length) {
                bodyFailed(new IOException("request body longer than its declared " + body.length + " bytes"));
                return;
            }
            out = body.length == EventLoopRequestHead.CHUNKED
                    ? new ByteBuffer[] {ascii(Integer.toHexString(data.remaining()) + "\r\n"), data, ascii("\r\n")}
                    : new ByteBuffer[] {data};
            connection.awaitAnswerBy(System.nanoTime() + client.readTimeoutNanos, client.readTimeoutNanos);
            writable();
        });
    }

    @Override
    public void onEnd() {
        onIoThread(() -> {
            if (abandoned || settled) {
                return;
            }
            pulling = false;
            if (body.length >= 0 && streamed != body.length) {
                bodyFailed(new IOException("request body ended after " + streamed + " of " + body.length + " bytes"));
                return;
            }
            bodyDone = true;
            out = new ByteBuffer[] {ascii(body.length == EventLoopRequestHead.CHUNKED ? "0\r\n\r\n" : "")};
            connection.awaitAnswerBy(System.nanoTime() + client.readTimeoutNanos, client.readTimeoutNanos);
            writable();
        });
    }

    @Override
    public void onError(Throwable failure) {
        onIoThread(() -> {
            if (!abandoned && !settled) {
                bodyFailed(failure);
            }
        });
    }

    /** The client's body broke off (too slow, too big, gone): the upstream must never see it as complete. */
    private void bodyFailed(Throwable failure) {
        pulling = false;
        abandon();
        connection.answerArrived();
        settled = true;
        pool.retire(connection);
        fail(failure instanceof RuntimeException ? failure : new ClientBodyException(failure.getMessage(), failure));
    }

    private void abandon() {
        if (!abandoned && source != null && !bodyDone) {
            source.cancel(); // an answer already on its way is dropped by the callbacks above
        }
        abandoned = true;
    }

    private void onIoThread(Runnable task) {
        if (Thread.currentThread() == pool.ioThread) {
            task.run();
        } else {
            pool.ioThread.execute(task);
        }
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    /** Reads until the answer is complete or the socket has nothing more; never reads past a complete one. */
    void readable() {
        if (settled || (head != null && smallBody == null)) {
            return; // a streamed body: its reader owns the socket (reads are suspended meanwhile)
        }
        ByteBuffer in = connection.in;
        try {
            while (smallBody == null) {
                int end = EventLoopResponseHead.end(in.array(), scanned, in.position());
                scanned = in.position();
                if (end > 0) {
                    EventLoopResponseHead h = EventLoopResponseHead.parse(in.array(), end);
                    if (h.status() == 101) { // we asked for no upgrade; the connection now speaks something else
                        throw new IOException("upstream answered 101 Switching Protocols, which a proxied request"
                                + " never asks for");
                    }
                    if (h.status() >= 200) {
                        onHead(h);
                        return;
                    }
                    // an interim answer (100 Continue, 103 Early Hints): RFC 9110 15.2 says skip it
                    in.limit(in.position()).position(end);
                    in.compact();
                    scanned = 0;
                    continue;
                }
                if (!in.hasRemaining()) {
                    if (in.capacity() >= EventLoopResponseHead.MAX) {
                        throw new IOException("upstream response head too large (over "
                                + EventLoopResponseHead.MAX + " bytes)");
                    }
                    connection.in = in = ByteBuffer.allocate(2 * in.capacity()).put(in.flip());
                }
                int n = connection.source.read(in);
                if (n <= 0) {
                    if (n == -1) {
                        if (in.position() == 0 && !handshaken()) {
                            throw new SSLException("no TLS session with upstream " + client.origin
                                    + " (handshake failed: certificate not trusted or not for this host?)");
                        }
                        throw new IOException("upstream " + client.origin + " closed the connection "
                                + (in.position() == 0 ? "before answering" : "within the response head"));
                    }
                    return;
                }
            }
            readSmallBody();
        } catch (IOException e) {
            failed(e);
        }
    }

    /** Plain connections, and TLS ones whose handshake completed. */
    private boolean handshaken() {
        if (!(connection.channel instanceof SslConnection ssl)) {
            return true;
        }
        SSLSession session = ssl.getSslSession();
        return session != null && !session.getCipherSuite().contains("NULL_WITH_NULL");
    }

    private void onHead(EventLoopResponseHead h) throws IOException {
        head = h;
        if (!sent) {
            abandon(); // an early answer (a 413, say): the rest of the body is not sent, the connection not reused
        }
        ByteBuffer in = connection.in;
        int extra = in.position() - h.size();
        if ("HEAD".equalsIgnoreCase(method) || h.status() == 204 || h.status() == 304) {
            surplus = extra > 0;
            finish(Body.empty());
        } else if (h.length() == UNDELIMITED) {
            throw new IOException("upstream " + client.origin + " answered " + h.status() + " without Content-Length"
                    + " or chunked encoding (a body ended by closing the connection), which is not supported");
        } else if (h.length() >= 0 && h.length() <= EventLoopClient.SMALL_BODY) {
            smallBody = ByteBuffer.allocate((int) h.length());
            smallBody.put(in.array(), h.size(), Math.min(extra, smallBody.capacity()));
            surplus = extra > smallBody.capacity();
            readSmallBody();
        } else {
            connection.answerArrived(); // the stream applies the read timeout to each blocking read
            connection.source.suspendReads(); // its reader's blocking reads own the socket until the end
            in.limit(in.position()).position(h.size());
            EventLoopBodyStream stream = new EventLoopBodyStream(connection.source, in, h.length(),
                    client.readTimeoutMillis, this);
            result.complete(response().withBody(Body.ofStream(stream, Math.max(-1, h.length()), h.contentType())));
        }
    }

    private void readSmallBody() throws IOException {
        while (smallBody.hasRemaining()) {
            int n = connection.source.read(smallBody);
            if (n == 0) {
                return; // the rest when readable again
            }
            if (n == -1) {
                throw new IOException("upstream " + client.origin + " closed after " + smallBody.position() + " of "
                        + smallBody.capacity() + " body bytes");
            }
        }
        finish(Body.ofBytes(smallBody.array(), head.contentType()));
    }

    private Response response() {
        return Response.of(head.status()).withHeaders(head.headers());
    }

    private void finish(Body body) {
        connection.answerArrived();
        // back to the pool before completing: a follow-up request sent from the callback can reuse it; not if
        // the upstream answered before our request was all written (a 431, say): the rest would be a request
        handBack(head.keepAlive() && !surplus && sent);
        result.complete(response().withBody(body));
    }

    private void failed(IOException e) {
        // an idle keep-alive connection the upstream had closed: resend once on a fresh one, if the upstream
        // cannot have acted on it (idempotent, or never all sent) and the body can be sent again
        giveUp(e, reused && !retried && head == null && connection.in.position() == 0
                && (IDEMPOTENT.contains(method) || !sent) && (body == null || body.isWhole()));
    }

    /** The connection's watchdog found the answer overdue. */
    void timedOut() {
        giveUp(new SocketTimeoutException("no answer from " + client.origin + " within " + client.readTimeoutMillis
                + " ms"), false);
    }

    private void giveUp(IOException e, boolean resend) {
        if (settled) {
            return;
        }
        connection.answerArrived();
        settled = true;
        head = null;
        smallBody = null;
        abandon();
        if (resend) {
            LOG.debug("{} on a pooled connection to {} failed before any answer ({}); resending it on a fresh one",
                    method, client.origin, e.toString());
            retried = true;
            pool.reconnect(connection, this);
        } else {
            pool.retire(connection);
            fail(e);
        }
    }

    private void handBack(boolean reusable) {
        settled = true;
        connection.exchange = null;
        if (reusable) {
            pool.release(connection);
        } else {
            pool.retire(connection);
        }
    }

    /** Completes the request with {@code failure} as the client's owner wants to see it (see EventLoopClient). */
    void fail(Throwable failure) {
        result.completeExceptionally(failures.apply(failure));
    }

    /** Called by the body stream from its reading thread once it hit the end, failed or was closed. */
    void streamEnded(boolean clean) {
        pool.ioThread.execute(() -> {
            if (!settled) {
                boolean reusable = clean && head.keepAlive() && sent;
                if (reusable) {
                    connection.source.resumeReads(); // idle again: readable now means closed
                }
                handBack(reusable);
            }
        });
    }
}
