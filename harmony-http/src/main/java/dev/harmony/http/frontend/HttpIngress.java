package dev.harmony.http.frontend;

import dev.harmony.message.Protocol;
import dev.harmony.pipeline.Frontend;
import dev.harmony.pipeline.Handler;
import dev.harmony.pipeline.RejectionRenderer;
import io.undertow.server.handlers.HttpContinueReadHandler;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * An HTTP/1.1 ingress on Undertow: listens on a port (default 8080), mounts its pipeline under a path
 * prefix (several pipelines can share one port by prefix), and streams request bodies into the
 * pipeline without blocking a thread, with a maximum size (413 beyond it), an idle timeout and a bound
 * on concurrent uploads. Blocking stages run on worker threads, never on the IO threads. Keep-alive, optional HTTPS, and {@code X-Forwarded-For} honoured only from trusted proxies.
 *
 * <p>Rejections are answered with their kind's status, their headers, {@code Retry-After} when they
 * carry one, and a body from {@link Builder#rejections(RejectionRenderer)} (default
 * {@link RejectionRenderer#json()}; FHIR pipelines pass {@code OperationOutcomes.renderer()}).
 *
 * <pre>{@code
 * HttpIngress ingress = HttpIngress.port(8080)
 *         .prefix("/fhir")
 *         .maxBodySize(10 * 1024 * 1024)
 *         .rejections(OperationOutcomes.renderer())
 *         .trustProxies("10.0.0.0/8")
 *         .build();
 * }</pre>
 */
public final class HttpIngress implements Frontend {
    /** The default request body limit: 16 MiB. */
    public static final long DEFAULT_MAX_BODY_SIZE = 16L * 1024 * 1024;

    private final SharedServer.Settings settings;
    private final String prefix;
    private final long maxBodySize;
    private final Duration bodyTimeout;
    private final int maxUploads;
    private final RejectionRenderer renderer;
    private final TrustedProxies trustedProxies;
    private SharedServer server;

    private HttpIngress(Builder b) {
        this.settings = new SharedServer.Settings(b.bindAddress, b.port, b.tls, b.ioThreads, b.workerThreads);
        this.prefix = b.prefix;
        this.maxBodySize = b.maxBodySize;
        this.bodyTimeout = b.bodyTimeout;
        this.maxUploads = b.maxUploads;
        this.renderer = b.renderer;
        this.trustedProxies = b.trustedProxies;
    }

    /** Starts configuring an ingress on {@code port} (0 = an ephemeral port, see {@link #port()}). */
    public static Builder port(int port) {
        return new Builder(port);
    }

    /** Starts configuring an ingress on the default port 8080. */
    public static Builder builder() {
        return new Builder(8080);
    }

    @Override
    public Protocol protocol() {
        return Protocol.HTTP;
    }

    @Override
    public synchronized void start(Handler handler) {
        if (server != null) {
            throw new IllegalStateException("HttpIngress on port " + settings.port() + " is already started");
        }
        IngressHandler h = new IngressHandler(handler, prefix, settings.tls() != null, maxBodySize, bodyTimeout,
                maxUploads, trustedProxies, new ResponseWriter(renderer));
        // sends "100 Continue" when a stage first reads the body, never for a request answered without reading it
        server = SharedServer.mount(settings, prefix, new HttpContinueReadHandler(h));
    }

    @Override
    public synchronized void stop() {
        if (server != null) {
            SharedServer.unmount(server, prefix);
            server = null;
        }
    }

    /** The port it listens on: the configured one, or the ephemeral one once started. */
    public synchronized int port() {
        return server != null ? server.port() : settings.port();
    }

    /** The path prefix, e.g. {@code /fhir}; empty for the root. */
    public String prefix() {
        return prefix;
    }

    @Override
    public Description describe() {
        String where = (settings.tls() != null ? "HTTPS :" : ":") + port() + (prefix.isEmpty() ? "" : prefix);
        return new Description("HTTP Ingress", where);
    }

    /** Configures an {@link HttpIngress}; {@link #build()} checks the options. */
    public static final class Builder {
        private final int port;
        private String bindAddress = "0.0.0.0";
        private String prefix = "";
        private long maxBodySize = DEFAULT_MAX_BODY_SIZE;
        private Duration bodyTimeout = Duration.ofSeconds(30);
        private int maxUploads = 512;
        private RejectionRenderer renderer = RejectionRenderer.json();
        private TrustedProxies trustedProxies = TrustedProxies.none();
        private Tls tls;
        private int ioThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
        private int workerThreads = Math.max(64, Runtime.getRuntime().availableProcessors() * 16);

        private Builder(int port) {
            this.port = port;
        }

        /** The address to listen on (default {@code 0.0.0.0}, all interfaces). */
        public Builder bind(String address) {
            this.bindAddress = Objects.requireNonNull(address, "bind address");
            return this;
        }

        /** The path prefix this pipeline is mounted under, e.g. {@code /fhir} (default: the root). */
        public Builder prefix(String pathPrefix) {
            Objects.requireNonNull(pathPrefix, "prefix");
            String p = pathPrefix.endsWith("/") ? pathPrefix.substring(0, pathPrefix.length() - 1) : pathPrefix;
            if (!p.isEmpty() && !p.startsWith("/")) {
                throw new IllegalArgumentException("HttpIngress.prefix must start with '/': '" + pathPrefix + "'");
            }
            this.prefix = p;
            return this;
        }

        /** The largest request body accepted, in bytes; larger ones are answered 413. */
        public Builder maxBodySize(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("HttpIngress.maxBodySize must be >= 0, got " + bytes);
            }
            this.maxBodySize = bytes;
            return this;
        }

        /**
         * The longest wait for more request body bytes once a stage reads the body; default 30 s. Then the
         * read fails (400 {@code REQUEST_BODY_TIMEOUT}) and the connection is closed; a body nobody reads
         * that does not end within it after the answer also gets its connection closed.
         */
        public Builder bodyTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "bodyTimeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("HttpIngress.bodyTimeout must be positive, got " + timeout);
            }
            this.bodyTimeout = timeout;
            return this;
        }

        /**
         * How many requests with a body may be in progress at once (each holds a connection and a buffer
         * of up to 64 KiB, no thread); beyond it new ones get 503 with Retry-After. Default 512.
         */
        public Builder maxConcurrentUploads(int uploads) {
            if (uploads < 1) {
                throw new IllegalArgumentException("HttpIngress.maxConcurrentUploads must be >= 1, got " + uploads);
            }
            this.maxUploads = uploads;
            return this;
        }

        /** How rejections become bodies: the one place that decides JSON vs. FHIR OperationOutcome. */
        public Builder rejections(RejectionRenderer rejectionRenderer) {
            this.renderer = Objects.requireNonNull(rejectionRenderer, "rejections");
            return this;
        }

        /** Peers (IP addresses or CIDR ranges) whose {@code X-Forwarded-*} headers are believed. */
        public Builder trustProxies(String... addressesOrRanges) {
            this.trustedProxies = TrustedProxies.of(List.of(addressesOrRanges));
            return this;
        }

        /** Serves HTTPS with this certificate instead of plain HTTP. */
        public Builder https(Tls certificate) {
            this.tls = Objects.requireNonNull(certificate, "https");
            return this;
        }

        /** Undertow IO (non-blocking) threads; default: the number of cores, at least 2. */
        public Builder ioThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("HttpIngress.ioThreads must be >= 1, got " + threads);
            }
            this.ioThreads = threads;
            return this;
        }

        /** Threads that run pipelines (they block on upstream calls); default max(64, 16 per core). */
        public Builder workerThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("HttpIngress.workerThreads must be >= 1, got " + threads);
            }
            this.workerThreads = threads;
            return this;
        }

        public HttpIngress build() {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("HttpIngress.port must be 0..65535, got " + port);
            }
            return new HttpIngress(this);
        }
    }
}
