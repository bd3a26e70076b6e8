package dev.harmony.http.frontend;

import dev.harmony.pipeline.RejectionRenderer;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.PathHandler;
import io.undertow.server.protocol.http.HttpOpenListener;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

/**
 * One Undertow server per bind address and port, shared by every ingress on that port: each mounts
 * its handler under its path prefix. Reference-counted: the last ingress to leave stops the server.
 * Ingresses on port 0 each get a server of their own (there is nothing to share).
 *
 * <p>The server is assembled from Undertow's HTTP listener on an XNIO worker rather than with
 * {@code Undertow.builder()}, because only then can each connection pass through {@link ParserErrors}
 * first, which gives the answers Undertow writes before any handler runs the ingress's shape. Every
 * request then meets {@link StrictRequests} before the prefixes.
 */
final class SharedServer {

    /** What must agree between ingresses sharing a port. */
    record Settings(String bindAddress, int port, Tls tls, int ioThreads, int workerThreads, Limits limits) {
    }

    /** The port-wide protocol limits (see {@link HttpIngress.Builder}). */
    record Limits(int headTimeoutMillis, int idleTimeoutMillis, int writeTimeoutMillis, int maxHeaderSize, int maxUriLength) {
    }

    private static final Map<String, SharedServer> BY_ADDRESS = new HashMap<>();
    /** Undertow's own default for a JVM with this much memory: 16 KiB less a little, direct. */
    private static final int BUFFER_SIZE = 16 * 1024 - 20;

    private final Settings settings;
    private final XnioWorker worker;
    private final AcceptingChannel<? extends StreamConnection> channel;
    private final DefaultByteBufferPool buffers;
    private final PathHandler paths;
    /** Mounted prefixes and their writers, in mounting order; guarded by the class lock. */
    private final Map<String, ResponseWriter> mounted = new LinkedHashMap<>();
    /** Answers what belongs to no prefix (and Undertow's own errors): the first mounted ingress's writer. */
    private volatile ResponseWriter fallback = new ResponseWriter(RejectionRenderer.json());
    private final int port;

    private SharedServer(Settings settings) {
        this.settings = settings;
        this.paths = new PathHandler(new NotFoundHandler(() -> fallback));
        Limits limits = settings.limits();
        OptionMap undertowOptions = OptionMap.builder()
                // Keep the path percent-encoded exactly as received, so a proxy forwards it unchanged.
                .set(UndertowOptions.DECODE_URL, false)
                // Clients send FHIR tokens such as identifier=system|value unescaped; accept them.
                .set(UndertowOptions.ALLOW_UNESCAPED_CHARACTERS_IN_URL, true)
                .set(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, false)
                // Each ingress enforces its own body limit with a clean 413; Undertow's own (2 MiB for
                // chunked bodies) would just cut the connection.
                .set(UndertowOptions.MAX_ENTITY_SIZE, Long.MAX_VALUE)
                .set(UndertowOptions.MAX_HEADER_SIZE, limits.maxHeaderSize())
                // From the first byte of a head to its end (a client trickling header bytes is cut off)...
                .set(UndertowOptions.REQUEST_PARSE_TIMEOUT, limits.headTimeoutMillis())
                // ...and how long a connection may sit without a request.
                .set(UndertowOptions.NO_REQUEST_TIMEOUT, limits.idleTimeoutMillis())
                .getMap();
        Xnio xnio = Xnio.getInstance(Undertow.class.getClassLoader());
        buffers = new DefaultByteBufferPool(true, BUFFER_SIZE, -1, 4);
        XnioWorker w = null;
        try {
            w = xnio.createWorker(OptionMap.builder()
                    .set(Options.WORKER_IO_THREADS, settings.ioThreads())
                    .set(Options.CONNECTION_HIGH_WATER, 1_000_000)
                    .set(Options.CONNECTION_LOW_WATER, 1_000_000)
                    .set(Options.WORKER_TASK_CORE_THREADS, settings.workerThreads())
                    .set(Options.WORKER_TASK_MAX_THREADS, settings.workerThreads())
                    .set(Options.TCP_NODELAY, true)
                    .set(Options.CORK, true)
                    .getMap());
            OptionMap socketOptions = OptionMap.builder()
                    .set(Options.WORKER_IO_THREADS, settings.ioThreads())
                    .set(Options.TCP_NODELAY, true)
                    .set(Options.REUSE_ADDRESSES, true)
                    .set(Options.BALANCING_TOKENS, 1)
                    .set(Options.BALANCING_CONNECTIONS, 2)
                    .set(Options.BACKLOG, 1000)
                    // A client that stops reading an answer: the write waiting for it fails after this
                    // long and the connection is closed, so no worker thread or upstream connection is held.
                    .set(Options.WRITE_TIMEOUT, limits.writeTimeoutMillis())
                    .getMap();
            HttpOpenListener open = new HttpOpenListener(buffers, undertowOptions);
            open.setRootHandler(new StrictRequests(paths, limits.maxUriLength(), this::writerFor));
            ChannelListener<StreamConnection> guarded =
                    ParserErrors.guarding(open, limits.maxHeaderSize(), () -> fallback.renderer());
            InetSocketAddress address = new InetSocketAddress(settings.bindAddress(), settings.port());
            AcceptingChannel<? extends StreamConnection> accepting;
            if (settings.tls() != null) {
                UndertowXnioSsl ssl = new UndertowXnioSsl(xnio, OptionMap.create(Options.USE_DIRECT_BUFFERS, true),
                        settings.tls().sslContext());
                accepting = ssl.createSslConnectionServer(w, address,
                        ChannelListeners.openListenerAdapter(guarded), socketOptions);
            } else {
                accepting = w.createStreamConnectionServer(address, ChannelListeners.openListenerAdapter(guarded),
                        socketOptions);
            }
            accepting.resumeAccepts();
            this.worker = w;
            this.channel = accepting;
        } catch (IOException | RuntimeException e) {
            if (w != null) {
                w.shutdownNow();
            }
            buffers.close();
            throw new IllegalStateException("HttpIngress: cannot listen on " + settings.bindAddress() + ":"
                    + settings.port() + ": " + e.getMessage(), e);
        }
        this.port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
    }

    /**
     * Mounts {@code handler} under {@code prefix} on the server for {@code settings}, starting it if needed.
     *
     * @throws IllegalStateException if the prefix is taken or the port is shared with different settings
     */
    static synchronized SharedServer mount(Settings settings, String prefix, HttpHandler handler, ResponseWriter writer) {
        String key = settings.bindAddress() + ":" + settings.port();
        SharedServer server = settings.port() == 0 ? null : BY_ADDRESS.get(key);
        if (server == null) {
            server = new SharedServer(settings);
            if (settings.port() != 0) {
                BY_ADDRESS.put(key, server);
            }
        } else if (!server.settings.equals(settings)) {
            throw new IllegalStateException("HttpIngress: port " + settings.port()
                    + " is already served by another ingress with different TLS, thread or limit settings");
        }
        if (server.mounted.containsKey(prefix)) {
            throw new IllegalStateException("HttpIngress: prefix '" + prefix + "' is already mounted on port " + server.port);
        }
        server.mounted.put(prefix, writer);
        server.fallback = server.mounted.values().iterator().next();
        server.paths.addPrefixPath(prefix.isEmpty() ? "/" : prefix, handler);
        return server;
    }

    /** Unmounts {@code prefix}; the last one out stops the server. */
    static synchronized void unmount(SharedServer server, String prefix) {
        if (server.mounted.remove(prefix) == null) {
            return;
        }
        server.paths.removePrefixPath(prefix.isEmpty() ? "/" : prefix);
        if (server.mounted.isEmpty()) {
            BY_ADDRESS.values().removeIf(s -> s == server);
            server.close();
        } else {
            server.fallback = server.mounted.values().iterator().next();
        }
    }

    /** The writer of the ingress whose prefix holds {@code path}, else the fallback; for refusals only. */
    private ResponseWriter writerFor(String path) {
        synchronized (SharedServer.class) {
            String best = null;
            for (String p : mounted.keySet()) {
                boolean holds = p.isEmpty() || path.equals(p) || (path.startsWith(p) && path.charAt(p.length()) == '/');
                if (holds && (best == null || p.length() > best.length())) {
                    best = p;
                }
            }
            return best == null ? fallback : mounted.get(best);
        }
    }

    private void close() {
        IoUtils.safeClose(channel);
        worker.shutdownNow();
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        buffers.close();
    }

    int port() {
        return port;
    }
}
