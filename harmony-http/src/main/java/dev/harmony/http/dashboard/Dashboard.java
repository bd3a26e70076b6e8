package dev.harmony.http.dashboard;

import dev.harmony.pipeline.Pipeline;
import io.undertow.Undertow;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A read-only admin page on its own port showing every pipeline running in this JVM as its diagram,
 * with live per-stage figures (exchanges, passed, rejected by kind, failed, p50/p99, throughput), plus
 * the same figures as JSON at {@code /api/pipelines}, and the delivery queues running in this JVM (depth,
 * oldest pending age, dead letters and delivery attempts per destination, see {@link QueueSource}). The page is self-contained (no CDN) and refreshes
 * itself every second. Loopback only unless told otherwise.
 *
 * <pre>{@code
 * try (Dashboard dashboard = Dashboard.on(9090).basicAuth("admin", adminPassword).start()) {
 *     System.out.println("dashboard at " + dashboard.url());
 *     ...
 * }
 * }</pre>
 *
 * It attaches one {@link PipelineMetrics} to each running pipeline as it appears (checked at start,
 * four times a second, and on every request) and detaches it on {@link #close()}. The same figures
 * are served to Prometheus at {@code /metrics} (text exposition format 0.0.4; see the README for names
 * and labels), behind the same credentials as the page.
 */
public final class Dashboard implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Dashboard.class);
    private static final long ATTACH_EVERY_MILLIS = 250;

    private final Undertow server;
    private final ScheduledExecutorService attacher;
    private final PipelineMetrics metrics;
    private final Supplier<List<Pipeline>> pipelines;
    private final Set<Pipeline> attached = Collections.newSetFromMap(new WeakHashMap<>());
    private final URI url;
    private boolean closed;

    private Dashboard(Builder b) {
        this.metrics = b.metrics;
        this.pipelines = b.pipelines;
        attachNew();
        DashboardAccess access = new DashboardAccess(b.user, b.password, b.token);
        Supplier<List<Pipeline>> attaching = () -> {
            attachNew();
            return pipelines.get();
        };
        this.server = Undertow.builder()
                .addHttpListener(b.port, b.address.getHostAddress())
                .setIoThreads(1)
                .setWorkerThreads(2)
                .setHandler(new DashboardHandler(attaching, metrics, b.queues, access, b.address.isLoopbackAddress()))
                .build();
        try {
            server.start();
        } catch (RuntimeException e) {
            detachAll();
            throw new IllegalStateException("dashboard: cannot listen on " + b.address.getHostAddress() + ":" + b.port
                    + ": " + e.getMessage(), e);
        }
        InetSocketAddress bound = (InetSocketAddress) server.getListenerInfo().get(0).getAddress();
        String host = bound.getAddress().getHostAddress();
        this.url = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort() + "/");
        this.attacher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "harmony-dashboard-attach");
            t.setDaemon(true);
            return t;
        });
        attacher.scheduleWithFixedDelay(this::attachNew, ATTACH_EVERY_MILLIS, ATTACH_EVERY_MILLIS,
                TimeUnit.MILLISECONDS);
        LOG.info("dashboard listening at {}{}", url, access.isOpen() ? "" : " (credentials required)");
        if (access.isOpen() && !b.address.isLoopbackAddress()) {
            LOG.warn("dashboard at {} is reachable from the network without credentials; consider basicAuth/bearer",
                    url);
        }
    }

    /** A dashboard that will listen on {@code port} (0 picks a free one) of the loopback interface. */
    public static Builder on(int port) {
        return new Builder(port);
    }

    /** Where to point a browser, e.g. {@code http://127.0.0.1:9090/}. */
    public URI url() {
        return url;
    }

    /** The port actually listened on. */
    public int port() {
        return url.getPort();
    }

    /** The metrics it shows, e.g. for a report at the end of a run. */
    public PipelineMetrics metrics() {
        return metrics;
    }

    /** Stops serving and detaches from every pipeline. Idempotent. */
    @Override
    public void close() {
        synchronized (attached) {
            if (closed) {
                return;
            }
            closed = true;
        }
        attacher.shutdownNow();
        try {
            attacher.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.stop();
        detachAll();
        LOG.info("dashboard at {} stopped", url);
    }

    private void attachNew() {
        List<Pipeline> current = pipelines.get();
        synchronized (attached) {
            if (closed) {
                return;
            }
            for (Pipeline p : current) {
                // a pipeline the metrics already observe (attached by the application) is left as it is,
                // and not detached at close: each exchange counts once
                if (!attached.contains(p) && p.addListener(metrics)) {
                    attached.add(p);
                }
            }
        }
    }

    private void detachAll() {
        List<Pipeline> all;
        synchronized (attached) {
            all = new ArrayList<>(attached);
            attached.clear();
        }
        all.forEach(p -> p.removeListener(metrics));
    }

    /** Options of a dashboard; {@link #start()} opens the port. */
    public static final class Builder {
        private final int port;
        private InetAddress address = InetAddress.getLoopbackAddress();
        private String user;
        private String password;
        private String token;
        private PipelineMetrics metrics = PipelineMetrics.create();
        private Supplier<List<Pipeline>> pipelines = Pipeline::running;
        private QueueSource queues;

        private Builder(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("dashboard: port must be 0..65535, got " + port);
            }
            this.port = port;
        }

        /** The interface to listen on; loopback by default. Anything else exposes it to the network. */
        public Builder bind(InetAddress interfaceAddress) {
            this.address = Objects.requireNonNull(interfaceAddress, "dashboard: bind address");
            return this;
        }

        /** Requires HTTP basic credentials (what a browser prompts for). */
        public Builder basicAuth(String user, String password) {
            if (user == null || user.isBlank() || user.contains(":")) {
                throw new IllegalArgumentException("dashboard: basicAuth user must be non-blank and contain no ':'");
            }
            if (password == null || password.isEmpty()) {
                throw new IllegalArgumentException("dashboard: basicAuth password must not be empty");
            }
            this.user = user;
            this.password = password;
            return this;
        }

        /**
         * Requires {@code Authorization: Bearer <token>}; suits scripts reading {@code /api/pipelines}
         * (browsers cannot send it for a page, so combine with {@link #basicAuth} for people).
         */
        public Builder bearer(String token) {
            if (token == null || token.isBlank()) {
                throw new IllegalArgumentException("dashboard: bearer token must not be blank");
            }
            this.token = token;
            return this;
        }

        /** Uses {@code shared} instead of fresh metrics, e.g. to also read them elsewhere. */
        public Builder metrics(PipelineMetrics shared) {
            this.metrics = Objects.requireNonNull(shared, "dashboard: metrics");
            return this;
        }

        /** Shows these pipelines instead of {@link Pipeline#running()}. */
        public Builder pipelines(Supplier<List<Pipeline>> source) {
            this.pipelines = Objects.requireNonNull(source, "dashboard: pipelines");
            return this;
        }

        /** Shows these delivery queues; default: every {@link QueueSource} on the class path (harmony-queue's). */
        public Builder queues(QueueSource source) {
            this.queues = Objects.requireNonNull(source, "dashboard: queues");
            return this;
        }

        /** Opens the port and starts serving. */
        public Dashboard start() {
            if (queues == null) {
                queues = QueueSource.installed();
            }
            return new Dashboard(this);
        }
    }
}
