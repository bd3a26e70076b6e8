package dev.harmony.hl7.frontend;

import dev.harmony.hl7.Hl7;
import dev.harmony.message.Protocol;
import dev.harmony.pipeline.Frontend;
import dev.harmony.pipeline.Handler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HL7 v2 listener over MLLP. Each framed message becomes one exchange whose operation is MSH-9
 * ({@code ADT^A01}), whose body is the message (content type {@value Hl7#ER7}) and whose attributes
 * carry the header fields ({@link Hl7#CONTROL_ID}...); the pipeline's answer becomes the ACK (see
 * the README's ACK rules for the mapping).
 *
 * <pre>{@code
 * MllpListener mllp = MllpListener.port(2575).bindAddress("127.0.0.1").maxMessageSize(1 << 20).build();
 * }</pre>
 *
 * <p>Every complete frame gets exactly one answer, in the order the frames came, also when a peer
 * pipelines several messages without waiting: AR for a message that is not HL7 v2 (no readable MSH or
 * control id, lines that are not segments, or, with {@link Builder#parseBeforePipeline}, anything HAPI
 * cannot parse), for an unsupported
 * version or message type, for one over {@link Builder#maxMessageSize} (the rest of it is read and
 * dropped) and for a frame broken by a stray start byte or a 0x1C not followed by 0x0D (MSA-2 is the
 * control id if the header was readable, else empty). The connection stays open after a NAK. Bytes
 * outside any frame are skipped; more of them than the size limit, a message not finished within
 * {@link Builder#frameTimeout}, an ACK the peer does not take within it (a sender that never reads its
 * answers), or no traffic for {@link Builder#idleTimeout} closes the connection.
 *
 * <p>One thread serves each connection, so messages on one connection are handled one at a time.
 * Beyond {@link Builder#maxConnections} a new connection is closed at once (MLLP has no way to refuse
 * politely); the sender retries later. With {@link Builder#tls} it speaks MLLP over TLS.
 */
public final class MllpListener implements Frontend {
    private static final Logger LOG = LoggerFactory.getLogger(MllpListener.class);

    final InetAddress bindAddress;
    final int port;
    final int maxMessageSize;
    final Duration idleTimeout;
    final Duration frameTimeout;
    final int maxConnections;
    final SSLContext tls;
    final Set<String> messageTypes;
    final Charset charset;
    final String application;
    final boolean parse;

    private final AtomicInteger active = new AtomicInteger();
    private final Set<Socket> live = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket server;
    private volatile int boundPort;
    private volatile ExecutorService workers;
    private volatile Thread acceptor;
    private volatile Handler handler;

    private MllpListener(Builder b) {
        this.bindAddress = b.bindAddress;
        this.port = b.port;
        this.maxMessageSize = b.maxMessageSize;
        this.idleTimeout = b.idleTimeout;
        this.frameTimeout = b.frameTimeout;
        this.maxConnections = b.maxConnections;
        this.tls = b.tls;
        this.messageTypes = b.messageTypes;
        this.charset = b.charset;
        this.application = b.application;
        this.parse = b.parse;
    }

    /** Starts configuring a listener on {@code port} (0 picks a free port; see {@link #localPort()}). */
    public static Builder port(int port) {
        return new Builder().port(port);
    }

    @Override
    public Protocol protocol() {
        return Hl7.MLLP;
    }

    @Override
    public Set<Protocol> protocols() {
        return Set.of(Hl7.MLLP);
    }

    @Override
    public Description describe() {
        return new Description("MLLP Listener", "Port " + localPort() + (tls != null ? " · TLS" : "") + " · HL7 v2");
    }

    /** The port actually bound while running (useful with port 0), else the configured one. */
    public int localPort() {
        return server != null ? boundPort : port;
    }

    /** Connections currently open. */
    public int activeConnections() {
        return active.get();
    }

    @Override
    public synchronized void start(Handler pipeline) throws IOException {
        if (server != null) {
            return;
        }
        this.handler = Objects.requireNonNull(pipeline, "handler");
        ServerSocket socket = tls != null ? tls.getServerSocketFactory().createServerSocket() : new ServerSocket();
        try {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(bindAddress, port), 128);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        boundPort = socket.getLocalPort();
        AtomicInteger ids = new AtomicInteger();
        workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "mllp-" + boundPort + "-" + ids.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server = socket;
        acceptor = new Thread(this::acceptLoop, "mllp-accept-" + boundPort);
        acceptor.setDaemon(true);
        acceptor.start();
        LOG.info("MLLP listener on {}:{}{}", bindAddress.getHostAddress(), boundPort, tls != null ? " (TLS)" : "");
    }

    private void acceptLoop() {
        ServerSocket s = server;
        while (s != null && !s.isClosed()) {
            Socket socket;
            try {
                socket = s.accept();
            } catch (IOException e) {
                if (!s.isClosed()) {
                    LOG.warn("MLLP listener {}: accept failed: {}", boundPort, e.toString());
                }
                continue;
            }
            if (active.incrementAndGet() > maxConnections) {
                active.decrementAndGet();
                LOG.warn("MLLP listener {}: {} connections open, closing the one from {}", boundPort, maxConnections,
                        socket.getRemoteSocketAddress());
                closeQuietly(socket);
                continue;
            }
            live.add(socket);
            try {
                workers.execute(() -> {
                    try {
                        new MllpConnection(this, socket, handler).run();
                    } finally {
                        closeQuietly(socket);
                        if (live.remove(socket)) {
                            active.decrementAndGet();
                        }
                    }
                });
            } catch (RuntimeException e) {
                closeQuietly(socket);
                if (live.remove(socket)) {
                    active.decrementAndGet();
                }
            }
        }
    }

    /** Closes the listener and every open connection, and waits (bounded) for their threads. */
    @Override
    public synchronized void stop() {
        ServerSocket s = server;
        if (s == null) {
            return;
        }
        server = null;
        closeQuietly(s);
        for (Socket c : live) {
            closeQuietly(c);
        }
        ExecutorService w = workers;
        w.shutdown();
        try {
            if (!w.awaitTermination(5, TimeUnit.SECONDS)) {
                w.shutdownNow();
            }
            acceptor.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("MLLP listener on port {} stopped", boundPort);
    }

    static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Configures an {@link MllpListener}; {@link #build()} checks every option. */
    public static final class Builder {
        private InetAddress bindAddress;
        private int port = 2575;
        private int maxMessageSize = 1024 * 1024;
        private Duration idleTimeout = Duration.ofMinutes(10);
        private Duration frameTimeout = Duration.ofSeconds(30);
        private int maxConnections = 64;
        private SSLContext tls;
        private Set<String> messageTypes;
        private Charset charset = StandardCharsets.UTF_8;
        private String application = "HARMONY";
        private boolean parse;

        private Builder() {
            try {
                bindAddress = InetAddress.getByAddress(new byte[4]);
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }

        /** TCP port; 0 picks a free one. Default 2575. */
        public Builder port(int value) {
            this.port = value;
            return this;
        }

        /** Address to bind, e.g. {@code 127.0.0.1}. Default: all interfaces. */
        public Builder bindAddress(String host) {
            try {
                this.bindAddress = InetAddress.getByName(host);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("MllpListener.bindAddress: unknown host '" + host + "'");
            }
            return this;
        }

        /** The largest message accepted, in bytes; a longer one is answered AR. Default 1 MiB. */
        public Builder maxMessageSize(int bytes) {
            this.maxMessageSize = bytes;
            return this;
        }

        /** A connection with no traffic for this long between messages is closed. Default 10 min. */
        public Builder idleTimeout(Duration value) {
            this.idleTimeout = value;
            return this;
        }

        /**
         * Once a message has started it must be complete within this, and the peer must take each ACK within
         * it; else the connection closes. Default 30 s.
         */
        public Builder frameTimeout(Duration value) {
            this.frameTimeout = value;
            return this;
        }

        /** Connections served at once; further ones are closed on arrival. Default 64. */
        public Builder maxConnections(int value) {
            this.maxConnections = value;
            return this;
        }

        /** Speak MLLP over TLS with this context (its key manager holds our certificate). */
        public Builder tls(SSLContext context) {
            this.tls = Objects.requireNonNull(context, "MllpListener.tls");
            return this;
        }

        /**
         * Accept only these message types ({@code ADT^A01}, or {@code ADT} for every event of a type);
         * others are answered AR. Default: every type.
         */
        public Builder messageTypes(String... types) {
            this.messageTypes = Set.of(types);
            return this;
        }

        /** The charset of messages whose MSH-18 names none. Default UTF-8. */
        public Builder charset(Charset value) {
            this.charset = Objects.requireNonNull(value, "MllpListener.charset");
            return this;
        }

        /** Our application name in ACKs to messages that did not name a receiving application. Default HARMONY. */
        public Builder application(String value) {
            this.application = value;
            return this;
        }

        /**
         * Also parse every message with HAPI before the pipeline runs, so that one HAPI cannot read is
         * answered AR even when no later stage parses it (an {@code Hl7ToJson} stage reuses the result).
         * Default: off; the listener checks the header, the version and that every line is a segment,
         * and a parsing stage's MALFORMED is answered AR the same way. The full parse costs far more than
         * the rest of the listener's work.
         */
        public Builder parseBeforePipeline(boolean value) {
            this.parse = value;
            return this;
        }

        public MllpListener build() {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("MllpListener.port must be 0..65535: " + port);
            }
            if (maxMessageSize < 64) {
                throw new IllegalArgumentException("MllpListener.maxMessageSize must be >= 64: " + maxMessageSize);
            }
            if (maxConnections < 1) {
                throw new IllegalArgumentException("MllpListener.maxConnections must be >= 1: " + maxConnections);
            }
            requirePositive(idleTimeout, "MllpListener.idleTimeout");
            requirePositive(frameTimeout, "MllpListener.frameTimeout");
            if (messageTypes != null && (messageTypes.isEmpty()
                    || messageTypes.stream().anyMatch(t -> !t.matches("[A-Z0-9]{3}(\\^[A-Z0-9]{3})?")))) {
                throw new IllegalArgumentException("MllpListener.messageTypes: give types such as ADT^A01 or ADT: "
                        + messageTypes);
            }
            if (application == null || application.isBlank() || application.matches(".*[|^~\\\\&\r\n].*")) {
                throw new IllegalArgumentException("MllpListener.application must be a plain name: " + application);
            }
            return new MllpListener(this);
        }

        static void requirePositive(Duration d, String what) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(what + " must be positive: " + d);
            }
        }
    }
}
