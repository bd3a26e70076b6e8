package dev.harmony.http.internal.client;

import dev.harmony.message.Headers;
import dev.harmony.message.Response;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.XnioIoThread;
import org.xnio.XnioWorker;
import org.xnio.ssl.XnioSsl;

/**
 * Sends HTTP/1.1 requests to one upstream origin (http or https) without blocking a thread, with our own small
 * HTTP/1.1 codec ({@link EventLoopExchange}, {@link EventLoopResponseHead}) straight on XNIO connections:
 * Undertow's client wrote each request head byte by byte into a direct buffer and switched read interest
 * on and off per request, which cost the proxy ~10 % of its CPU.
 *
 * <p>Connections are pooled per XNIO I/O thread ({@link EventLoopPool}): a request sent <em>on</em> an
 * I/O thread (an Undertow server's, say) uses keep-alive connections owned by that very thread, so the
 * upstream answer completes the future on the thread that serves the client connection — no thread
 * hop, no locks. A request sent from any other thread is handed to an I/O thread of the small worker all
 * clients share ({@link SharedWorker}, taken on first such use); its future completes on that I/O thread.
 *
 * <p>Small answers (Content-Length up to {@value #SMALL_BODY} bytes) are read whole without blocking;
 * bigger or chunked ones come back as a one-shot stream to be read with blocking reads from a worker
 * thread, never an I/O thread (see {@link EventLoopBodyStream}). Such a stream holds its connection
 * until it is read to the end (the connection is reused) or closed (the connection is closed).
 *
 * <p>Request bodies are either whole (written with the head) or streamed from a {@link
 * dev.harmony.message.Body.Source} as the client sends them, with Content-Length or chunked framing.
 * A request that dies on a pooled connection before any answer (the upstream closed it while idle)
 * is resent once on a fresh connection if the upstream cannot have acted on it (idempotent method, or
 * not all sent) and its body is whole; a streamed body is never read twice. Not supported: HTTP/1.1
 * answers whose body ends only by closing the connection (they fail clearly).
 */
public final class EventLoopClient implements AutoCloseable {
    /** Bodies up to this many bytes (declared by Content-Length) are buffered; bigger ones stream. */
    static final int SMALL_BODY = 64 * 1024;
    /** Requests waiting for a connection per I/O thread before we refuse more. */
    static final int MAX_QUEUED = 1024;
    final URI origin;
    final String hostHeader;
    /** Where connections go, resolved once by start() so DNS never blocks I/O threads; null: resolve per connect. */
    private volatile InetSocketAddress connectTo;
    final long connectTimeoutMillis;
    final long readTimeoutMillis;
    final long readTimeoutNanos;
    final int maxConnectionsPerThread;
    /** Nagle would hold each small request back ~40 ms behind the previous answer's ACK. */
    final OptionMap connectionOptions = OptionMap.create(Options.TCP_NODELAY, true);
    /** TLS for an https origin (host name checked against the certificate), else null. */
    final XnioSsl ssl;
    /** What a failed request completes with, given what went wrong. */
    final Function<Throwable, ? extends Throwable> failures;

    /** One pool per I/O thread; each pool is touched only from its own thread. */
    private final Map<XnioIoThread, EventLoopPool> pools = new ConcurrentHashMap<>();
    private final Object lifecycle = new Object();
    private volatile XnioWorker sharedWorker;
    private volatile boolean resolved;
    private volatile boolean closed;

    public EventLoopClient(URI origin, Duration connectTimeout, Duration readTimeout, int maxConnectionsPerThread) {
        this(origin, connectTimeout, readTimeout, maxConnectionsPerThread, Function.identity(), null);
    }

    /**
     * As above; every failure a request completes with goes through {@code failures} first, so the owner
     * sees failures in its own terms without another stage per request.
     */
    public EventLoopClient(URI origin, Duration connectTimeout, Duration readTimeout, int maxConnectionsPerThread,
            Function<Throwable, ? extends Throwable> failures, SSLContext tls) {
        this.failures = Objects.requireNonNull(failures, "failures");
        Objects.requireNonNull(origin, "EventLoopClient origin");
        boolean https = "https".equalsIgnoreCase(origin.getScheme());
        if (!(https || "http".equalsIgnoreCase(origin.getScheme())) || origin.getHost() == null
                || !(origin.getRawPath() == null || origin.getRawPath().isEmpty() || "/".equals(origin.getRawPath()))
                || origin.getRawQuery() != null || origin.getRawFragment() != null || origin.getRawUserInfo() != null) {
            throw new IllegalArgumentException("EventLoopClient: origin must be http(s)://host[:port], got '"
                    + origin + "'");
        }
        int port = origin.getPort() != -1 ? origin.getPort() : https ? 443 : 80;
        this.origin = URI.create((https ? "https://" : "http://") + origin.getHost() + ":" + port);
        this.hostHeader = origin.getHost() + ":" + port;
        this.ssl = https ? UpstreamTls.xnioSsl(tls, origin.getHost()) : null;
        this.connectTimeoutMillis = positiveMillis(connectTimeout, "connectTimeout");
        this.readTimeoutMillis = positiveMillis(readTimeout, "readTimeout");
        this.readTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(readTimeoutMillis);
        if (maxConnectionsPerThread < 1) {
            throw new IllegalArgumentException("EventLoopClient: maxConnectionsPerThread must be >= 1, got "
                    + maxConnectionsPerThread);
        }
        this.maxConnectionsPerThread = maxConnectionsPerThread;
    }

    /**
     * Resolves the origin's host name once (like nginx's static upstreams; unresolvable now, each connect
     * tries again). The shared I/O worker for callers that are not on an I/O thread is taken on their
     * first request. Idempotent.
     */
    public void start() {
        if (closed) {
            throw new IllegalStateException("EventLoopClient is closed");
        }
        if (!resolved) {
            resolved = true;
            try {
                connectTo = new InetSocketAddress(InetAddress.getByName(origin.getHost()), origin.getPort());
            } catch (UnknownHostException e) {
                // keep the name: connects resolve it themselves and fail with UnknownHostException
            }
        }
    }

    /**
     * Sends {@code method target} with {@code headers} plus Host; never blocks. Completes with the upstream
     * status, its end-to-end headers and body; or exceptionally with ConnectException, SocketTimeoutException
     * (no connection within connectTimeout, queueing for a busy one included, or no answer within
     * readTimeout) or another IOException (upstream closed mid-answer, too many queued requests, closed);
     * with IllegalArgumentException if the method is not a token, or the target or a header value holds a
     * control character (they would split the request on the wire); each failure as {@code failures} maps it.
     * Never throws.
     */
    public CompletableFuture<Response> send(String method, String target, Headers headers) {
        return send(method, target, EventLoopRequestHead.each(headers), null, failures);
    }

    /**
     * As {@link #send(String, String, Headers)}, with the headers each passed to the sink {@code headers}
     * is given (a proxy writes the request's own headers this way, without copying them first), a body
     * (null: none) and the failure mapping for this request.
     */
    public CompletableFuture<Response> send(String method, String target, Consumer<BiConsumer<String, String>> headers,
            OutgoingBody body, Function<Throwable, ? extends Throwable> failed) {
        EventLoopRequestHead head;
        try {
            long length = body == null ? methodWithoutBody(method) : body.length;
            head = EventLoopRequestHead.encode(method, target, hostHeader, headers, length);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(failed.apply(e));
        }
        EventLoopExchange exchange = new EventLoopExchange(this, method, head, body, failed);
        if (closed) {
            exchange.fail(new IOException("EventLoopClient is closed"));
            return exchange.result;
        }
        if (Thread.currentThread() instanceof XnioIoThread current) {
            pool(current).submit(exchange);
        } else {
            try {
                XnioIoThread io = sharedIoThread();
                io.execute(() -> pool(io).submit(exchange));
            } catch (RuntimeException e) {
                exchange.fail(new IOException("EventLoopClient cannot dispatch: " + e, e));
            }
        }
        return exchange.result;
    }

    /** Where blocking reads of a request body may run: the calling I/O thread's worker, else the shared one. */
    public Executor blockingExecutor() {
        return Thread.currentThread() instanceof XnioIoThread io ? io.getWorker() : sharedIoThread().getWorker();
    }

    /** POST, PUT and PATCH without a body say so (servers answer 411 to one without any framing). */
    private static long methodWithoutBody(String method) {
        return method.equals("POST") || method.equals("PUT") || method.equals("PATCH") ? 0 : EventLoopRequestHead.NO_BODY;
    }

    private EventLoopPool pool(XnioIoThread io) {
        return pools.computeIfAbsent(io, thread -> new EventLoopPool(this, thread));
    }

    private XnioIoThread sharedIoThread() {
        XnioWorker worker = sharedWorker;
        if (worker == null) {
            worker = takeSharedWorker();
        }
        // the same caller thread always lands on the same I/O thread, so its requests share one pool
        return worker.getIoThread(Math.floorMod(Thread.currentThread().hashCode(), worker.getIoThreadCount()));
    }

    private XnioWorker takeSharedWorker() {
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("EventLoopClient is closed");
            }
            if (sharedWorker == null) {
                sharedWorker = SharedWorker.acquire();
            }
            return sharedWorker;
        }
    }

    /** Closes idle connections (busy ones close when their exchange ends), fails queued requests. */
    @Override
    public void close() {
        XnioWorker worker;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            worker = sharedWorker;
        }
        for (EventLoopPool pool : pools.values()) {
            try {
                pool.ioThread.execute(pool::close);
            } catch (RejectedExecutionException e) {
                // that server's worker is already gone, and its connections with it
            }
        }
        pools.clear();
        if (worker != null) {
            SharedWorker.release(worker);
        }
    }

    /** The resolved upstream address (resolving now only if start() could not). */
    InetSocketAddress connectAddress() {
        InetSocketAddress address = connectTo;
        return address != null ? address : new InetSocketAddress(origin.getHost(), origin.getPort());
    }

    boolean isClosed() {
        return closed;
    }

    /** The shared worker this client holds, or null before its first request from a non-I/O thread. */
    XnioWorker heldWorker() {
        return sharedWorker;
    }

    private static long positiveMillis(Duration d, String name) {
        Objects.requireNonNull(d, "EventLoopClient " + name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("EventLoopClient: " + name + " must be positive, got " + d);
        }
        return Math.max(1, d.toMillis());
    }
}
