package dev.harmony.http.frontend;

import dev.harmony.message.Protocol;
import dev.harmony.pipeline.Frontend;
import dev.harmony.pipeline.Handler;
import dev.harmony.pipeline.RejectionRenderer;
import io.undertow.server.handlers.HttpContinueReadHandler;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * An HTTP/1.1 ingress on Undertow: listens on a port (default 8080), mounts its pipeline under a path
 * prefix (several pipelines can share one port by prefix), and streams request bodies into the
 * pipeline without blocking a thread, with a maximum size (413 beyond it), an idle timeout between body
 * bytes and a bound on concurrent uploads. Blocking stages run on worker threads, never on the IO
 * threads. Keep-alive, optional HTTPS, and {@code X-Forwarded-For} honoured only from trusted proxies.
 *
 * <p>Rejections are answered with their kind's status, their headers, {@code Retry-After} when they
 * carry one, and a body from {@link Builder#rejections(RejectionRenderer)} (default
 * {@link RejectionRenderer#json()}; FHIR pipelines pass {@code OperationOutcomes.renderer()}). So is
 * every error the ingress makes itself, including the ones Undertow's parser writes before any handler
 * runs: malformed or oversized heads (400, 431), ambiguous framing (400), unknown transfer codings (501),
 * unknown expectations (417), long targets (414), path tricks (400), methods it does not take (405 with
 * {@code Allow}). Heads must arrive within {@link Builder#requestHeadTimeout}; idle connections close
 * after {@link Builder#idleTimeout}. Internal and upstream failures show the client only the
 * correlation id ({@code Attribute.EXCHANGE_ID}) under which the details are logged.
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
    /** The default time a client has to send a whole request head once it started one: 20 s. */
    public static final Duration DEFAULT_REQUEST_HEAD_TIMEOUT = Duration.ofSeconds(20);
    /** The default time a connection may sit idle between requests: 60 s. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** The default time an answer may wait for a client that does not read it: 60 s. */
    public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(60);
    /** The default limit of a request head (request line and headers): 32 KiB. */
    public static final int DEFAULT_MAX_HEADER_SIZE = 32 * 1024;
    /** The default limit of the request target (path and query): 8 KiB. */
    public static final int DEFAULT_MAX_URI_LENGTH = 8 * 1024;
    /** The methods an ingress takes unless told otherwise; never TRACE or CONNECT. */
    public static final Set<String> DEFAULT_METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    private final SharedServer.Settings settings;
    private final String prefix;
    private final long maxBodySize;
    private final Duration bodyTimeout;
    private final int maxUploads;
    private final RejectionRenderer renderer;
    private final TrustedProxies trustedProxies;
    private final Set<String> methods;
    private SharedServer server;

    private HttpIngress(Builder b) {
        this.settings = new SharedServer.Settings(b.bindAddress, b.port, b.tls, b.ioThreads, b.workerThreads,
                new SharedServer.Limits(millis(b.headTimeout), millis(b.idleTimeout), millis(b.writeTimeout), b.maxHeaderSize,
                        b.maxUriLength));
        this.prefix = b.prefix;
        this.maxBodySize = b.maxBodySize;
        this.bodyTimeout = b.bodyTimeout;
        this.maxUploads = b.maxUploads;
        this.renderer = b.renderer;
        this.trustedProxies = b.trustedProxies;
        this.methods = b.methods;
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
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
        ResponseWriter writer = new ResponseWriter(renderer);
        IngressHandler h = new IngressHandler(handler, prefix, settings.tls() != null, maxBodySize, bodyTimeout,
                maxUploads, trustedProxies, methods, writer);
        // sends "100 Continue" when a stage first reads the body, never for a request answered without reading it
        server = SharedServer.mount(settings, prefix, new HttpContinueReadHandler(h), writer);
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

    /** The methods this ingress takes; others are answered 405 with {@code Allow}. */
    public Set<String> methods() {
        return methods;
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
        private RejectionRenderer renderer = RejectionRenderer.json();
        private TrustedProxies trustedProxies = TrustedProxies.none();
        private Tls tls;
        private int ioThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
        private int workerThreads = Math.max(64, Runtime.getRuntime().availableProcessors() * 16);
        private Duration bodyTimeout = Duration.ofSeconds(30);
        private int maxUploads = 512;
        private Duration headTimeout = DEFAULT_REQUEST_HEAD_TIMEOUT;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private Duration writeTimeout = DEFAULT_WRITE_TIMEOUT;
        private int maxHeaderSize = DEFAULT_MAX_HEADER_SIZE;
        private int maxUriLength = DEFAULT_MAX_URI_LENGTH;
        private Set<String> methods = DEFAULT_METHODS;

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

        /** How rejections become bodies: the one place that decides JSON vs. FHIR OperationOutcome. */
        public Builder rejections(RejectionRenderer rejectionRenderer) {
            this.renderer = Objects.requireNonNull(rejectionRenderer, "rejections");
            return this;
        }

        /**
         * The methods this pipeline takes (default {@link #DEFAULT_METHODS}); any other is answered 405
         * with an {@code Allow} header. {@code GET} brings {@code HEAD} with it. TRACE and CONNECT are never taken.
         */
        public Builder methods(String... allowed) {
            Set<String> set = new LinkedHashSet<>();
            for (String m : allowed) {
                Objects.requireNonNull(m, "method");
                String method = m.strip().toUpperCase(Locale.ROOT);
                if (!method.matches("[A-Z][A-Z0-9_-]*")) {
                    throw new IllegalArgumentException("HttpIngress.methods: '" + m + "' is not an HTTP method");
                }
                if (method.equals("TRACE") || method.equals("CONNECT")) {
                    throw new IllegalArgumentException("HttpIngress.methods: " + method + " is never taken by an ingress");
                }
                set.add(method);
                if (method.equals("GET")) {
                    set.add("HEAD");
                }
            }
            if (set.isEmpty()) {
                throw new IllegalArgumentException("HttpIngress.methods: name at least one method");
            }
            this.methods = Set.copyOf(set);
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

        /**
         * How long a client may take to send a request head once its first byte arrived (default 20 s);
         * then the connection is closed. Bounds clients that trickle header bytes (slowloris).
         */
        public Builder requestHeadTimeout(Duration timeout) {
            this.headTimeout = positive(timeout, "requestHeadTimeout");
            return this;
        }

        /** How long a connection may stay open without a request in progress (default 60 s). */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = positive(timeout, "idleTimeout");
            return this;
        }

        /**
         * How long an answer's next bytes may wait for a client that does not read them (default 60 s);
         * then the connection is closed, releasing the thread or upstream connection that feeds it.
         */
        public Builder writeTimeout(Duration timeout) {
            this.writeTimeout = positive(timeout, "writeTimeout");
            return this;
        }

        /** The largest request head (request line and headers) in bytes (default 32 KiB); larger ones get 431. */
        public Builder maxHeaderSize(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("HttpIngress.maxHeaderSize must be >= 1024, got " + bytes);
            }
            this.maxHeaderSize = bytes;
            return this;
        }

        /** The longest request target (path and query) in characters (default 8 KiB); longer ones get 414. */
        public Builder maxUriLength(int chars) {
            if (chars < 256) {
                throw new IllegalArgumentException("HttpIngress.maxUriLength must be >= 256, got " + chars);
            }
            this.maxUriLength = chars;
            return this;
        }

        private static Duration positive(Duration d, String option) {
            Objects.requireNonNull(d, option);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("HttpIngress." + option + " must be positive, got " + d);
            }
            return d;
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
