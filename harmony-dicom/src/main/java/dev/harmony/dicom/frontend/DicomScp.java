package dev.harmony.dicom.frontend;

import dev.harmony.dicom.AeTitles;
import dev.harmony.dicom.DicomTls;
import dev.harmony.dicom.Timeouts;
import dev.harmony.dicom.TransferSyntax;
import dev.harmony.message.Body;
import dev.harmony.message.Protocol;
import dev.harmony.pipeline.Frontend;
import dev.harmony.pipeline.Handler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A DICOM listener (storage, query and verification SCP). Each association request is sent through the
 * pipeline as an {@code A-ASSOCIATE} exchange, so middleware can refuse it (A-ASSOCIATE-RJ) before any
 * data flows; each C-STORE becomes a {@code C-STORE} exchange whose body streams the data set from the
 * network, and whose answer becomes the C-STORE-RSP status (see {@code DimseStatus}). Each C-FIND
 * (Patient Root or Study Root) becomes a {@code C-FIND} exchange carrying the parsed query; the
 * backend's matches are sent as Pending responses until the end or a C-CANCEL. C-MOVE and C-GET become
 * {@code C-MOVE} / {@code C-GET} exchanges whose {@code Retrieval} the listener sends as C-STORE
 * sub-operations (to a configured move destination, or back on the association). C-ECHO is answered
 * directly with success.
 *
 * <pre>{@code
 * DicomScp scp = DicomScp.port(11112).aeTitle("HARMONY").maxAssociations(32).build();
 * }</pre>
 *
 * <p>One thread serves each association. Beyond {@code maxAssociations} the request is refused with a
 * transient A-ASSOCIATE-RJ (local limit exceeded). The ARTIM timeout bounds the wait for the request
 * and for the peer to close after a release; the idle timeout aborts an association that sends nothing.
 */
public final class DicomScp implements Frontend {
    private static final Logger LOG = LoggerFactory.getLogger(DicomScp.class);
    /** Extra threads that may exist only to refuse associations beyond the limit. */
    private static final int OVERFLOW_THREADS = 8;

    final InetAddress bindAddress;
    final int port;
    final String aeTitle;
    final Negotiator negotiator;
    final int maxPduLength;
    final int maxAssociations;
    final Duration artimTimeout;
    final Duration idleTimeout;
    final long bodyLimit;
    final java.util.Map<String, dev.harmony.dicom.DicomNode> moveDestinations;
    final DicomTls tls;
    final SSLContext tlsContext;

    private final AtomicInteger active = new AtomicInteger();
    private final AtomicLong associationCounter = new AtomicLong();
    private final Set<ScpAssociation> live = ConcurrentHashMap.newKeySet();
    private volatile ServerSocketChannel server;
    private volatile int boundPort;
    private volatile ExecutorService workers;
    private volatile Thread acceptor;
    private volatile Handler handler;

    private DicomScp(Builder b) {
        this.bindAddress = b.bindAddress;
        this.port = b.port;
        this.aeTitle = b.aeTitle;
        this.negotiator = new Negotiator(b.sopClasses, b.transferSyntaxes, b.maxPduLength, b.acceptPrivateSopClasses);
        this.maxPduLength = b.maxPduLength;
        this.maxAssociations = b.maxAssociations;
        this.artimTimeout = b.artimTimeout;
        this.idleTimeout = b.idleTimeout;
        this.bodyLimit = b.bodyLimit;
        this.moveDestinations = java.util.Map.copyOf(b.moveDestinations);
        this.tls = b.tls;
        this.tlsContext = b.tls == null ? null : b.tls.context();
    }

    /** Starts configuring a listener on {@code port} (0 picks a free port; see {@link #localPort()}). */
    public static Builder port(int port) {
        return new Builder().port(port);
    }

    /** A listener with every default: port 11112, AE title {@code HARMONY}. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Protocol protocol() {
        return Protocol.DICOM;
    }

    @Override
    public Set<Protocol> protocols() {
        return Set.of(Protocol.DICOM);
    }

    @Override
    public Description describe() {
        return new Description("DICOM Listener", "Port " + localPort() + " · AE " + aeTitle + (tls == null ? ""
                : " · TLS"));
    }

    /** The configured AE title. */
    public String aeTitle() {
        return aeTitle;
    }

    /** The port actually bound while running (useful with port 0), else the configured one. */
    public int localPort() {
        return server != null ? boundPort : port;
    }

    /** Associations currently open. */
    public int activeAssociations() {
        return active.get();
    }

    @Override
    public synchronized void start(Handler pipeline) throws IOException {
        if (server != null) {
            return;
        }
        this.handler = Objects.requireNonNull(pipeline, "handler");
        ServerSocketChannel socket = ServerSocketChannel.open();
        socket.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        socket.bind(new InetSocketAddress(bindAddress, port), 128);
        boundPort = ((InetSocketAddress) socket.getLocalAddress()).getPort();
        AtomicInteger threadIds = new AtomicInteger();
        workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "dicom-scp-" + boundPort + "-" + threadIds.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server = socket;
        acceptor = new Thread(this::acceptLoop, "dicom-scp-accept-" + boundPort);
        acceptor.setDaemon(true);
        acceptor.start();
        LOG.info("DICOM listener {} on {}:{}{}", aeTitle, bindAddress.getHostAddress(), boundPort,
                tls == null ? "" : tls.requiresClientCertificate() ? " (TLS, client certificate required)" : " (TLS)");
    }

    private void acceptLoop() {
        ServerSocketChannel s = server;
        while (s != null && s.isOpen()) {
            SocketChannel socket;
            try {
                socket = s.accept();
            } catch (IOException e) {
                if (s.isOpen()) {
                    LOG.warn("DICOM listener {}: accept failed: {}", aeTitle, e.toString());
                }
                continue;
            }
            int now = active.incrementAndGet();
            if (now > maxAssociations + OVERFLOW_THREADS) {
                // Not even a thread to refuse it properly: drop the connection.
                active.decrementAndGet();
                closeQuietly(socket);
                continue;
            }
            ScpAssociation association = new ScpAssociation(this, socket, handler,
                    "A" + associationCounter.incrementAndGet(), now > maxAssociations);
            live.add(association);
            try {
                workers.execute(association);
            } catch (RuntimeException e) {
                finished(association);
                closeQuietly(socket);
            }
        }
    }

    void finished(ScpAssociation association) {
        if (live.remove(association)) {
            active.decrementAndGet();
        }
    }

    /** Closes the listener, aborts open associations and waits (bounded) for their threads. */
    @Override
    public synchronized void stop() {
        ServerSocketChannel s = server;
        if (s == null) {
            return;
        }
        server = null;
        closeQuietly(s);
        for (ScpAssociation a : live) {
            a.abortForShutdown();
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
        LOG.info("DICOM listener {} on port {} stopped", aeTitle, boundPort);
    }

    static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Configures a {@link DicomScp}; {@link #build()} checks every option. */
    public static final class Builder {
        private InetAddress bindAddress;
        private int port = 11112;
        private String aeTitle = "HARMONY";
        private Set<String> sopClasses;
        private List<TransferSyntax> transferSyntaxes = TransferSyntax.defaults();
        private int maxPduLength = 256 * 1024;
        private int maxAssociations = 64;
        private Duration artimTimeout = Duration.ofSeconds(30);
        private Duration idleTimeout = Duration.ofMinutes(2);
        private long bodyLimit = Body.DEFAULT_LIMIT;
        private final java.util.Map<String, dev.harmony.dicom.DicomNode> moveDestinations = new java.util.LinkedHashMap<>();
        private boolean acceptPrivateSopClasses;
        private DicomTls tls;

        private Builder() {
            try {
                bindAddress = InetAddress.getByAddress(new byte[4]);
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }

        /** TCP port; 0 picks a free one. Default 11112. */
        public Builder port(int value) {
            this.port = value;
            return this;
        }

        /** Address to bind, e.g. {@code 127.0.0.1}. Default: all interfaces. */
        public Builder bindAddress(String host) {
            try {
                this.bindAddress = InetAddress.getByName(host);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("DicomScp.bindAddress: unknown host '" + host + "'");
            }
            return this;
        }

        /** Our AE title. Default {@code HARMONY}. */
        public Builder aeTitle(String value) {
            this.aeTitle = value;
            return this;
        }

        /** Accept only these SOP class UIDs. Default: every storage SOP class, Verification and Patient/Study Root C-FIND. */
        public Builder acceptSopClasses(String... uids) {
            this.sopClasses = Set.of(uids);
            return this;
        }

        /**
         * Also accept every SOP class outside the DICOM root {@code 1.2.840.10008.} (private and vendor
         * storage classes: C-STORE on them flows through the pipeline like any other). Default off:
         * such a UID says nothing about what the class is.
         */
        public Builder acceptPrivateSopClasses(boolean value) {
            this.acceptPrivateSopClasses = value;
            return this;
        }

        /**
         * Serve DICOM over TLS 1.3/1.2 (PS3.15 annex B; port 2762 by convention) with this certificate;
         * with {@link DicomTls#requireClientCertificate} peers must present one we trust, and its subject
         * is on every exchange as {@link dev.harmony.dicom.DicomAttributes#TLS_PEER_SUBJECT}.
         */
        public Builder tls(DicomTls value) {
            this.tls = value;
            return this;
        }

        /** Accept only these transfer syntaxes. Default: {@link TransferSyntax#defaults()}. */
        public Builder acceptTransferSyntaxes(TransferSyntax... syntaxes) {
            this.transferSyntaxes = List.of(syntaxes);
            return this;
        }

        /** The largest P-DATA-TF PDU we receive (announced to peers). Default 256 KiB. */
        public Builder maxPduLength(int bytes) {
            this.maxPduLength = bytes;
            return this;
        }

        /** Concurrent associations; more are refused with a transient A-ASSOCIATE-RJ. Default 64. */
        public Builder maxAssociations(int value) {
            this.maxAssociations = value;
            return this;
        }

        /** How long to wait for the association request, and for the peer to close after release. Default 30 s. */
        public Builder artimTimeout(Duration value) {
            this.artimTimeout = value;
            return this;
        }

        /** An established association that sends nothing for this long is aborted. Default 2 min. */
        public Builder idleTimeout(Duration value) {
            this.idleTimeout = value;
            return this;
        }

        /**
         * Where C-MOVE may send instances: each destination's AE title is the Move Destination a requestor
         * names (any other gets A801, move destination unknown). Default: none.
         */
        public Builder moveDestinations(dev.harmony.dicom.DicomNode... destinations) {
            for (dev.harmony.dicom.DicomNode d : destinations) {
                if (moveDestinations.put(d.aeTitle(), d) != null) {
                    throw new IllegalArgumentException("DicomScp.moveDestinations: AE title " + d.aeTitle()
                            + " is named twice");
                }
            }
            return this;
        }

        /** The most bytes a stage may buffer from a C-STORE body (streaming is unlimited). Default 16 MiB. */
        public Builder bodyLimit(long bytes) {
            this.bodyLimit = bytes;
            return this;
        }

        public DicomScp build() {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("DicomScp.port must be 0..65535: " + port);
            }
            aeTitle = AeTitles.require(aeTitle, "DicomScp.aeTitle");
            if (maxPduLength < 4096 || maxPduLength > 64 * 1024 * 1024) {
                throw new IllegalArgumentException("DicomScp.maxPduLength must be 4096..64 MiB: " + maxPduLength);
            }
            if (maxAssociations < 1) {
                throw new IllegalArgumentException("DicomScp.maxAssociations must be >= 1: " + maxAssociations);
            }
            Timeouts.requirePositive(artimTimeout, "DicomScp.artimTimeout");
            Timeouts.requirePositive(idleTimeout, "DicomScp.idleTimeout");
            if (transferSyntaxes.isEmpty()) {
                throw new IllegalArgumentException("DicomScp.acceptTransferSyntaxes: at least one is needed");
            }
            if (sopClasses != null && sopClasses.isEmpty()) {
                throw new IllegalArgumentException("DicomScp.acceptSopClasses: at least one is needed");
            }
            if (bodyLimit < 0) {
                throw new IllegalArgumentException("DicomScp.bodyLimit must be >= 0: " + bodyLimit);
            }
            if (tls != null && !tls.hasOwnCertificate()) {
                throw new IllegalArgumentException("DicomScp.tls: a listener needs a certificate of its own"
                        + " (DicomTls.fromPem or fromKeyStore)");
            }
            return new DicomScp(this);
        }
    }
}
