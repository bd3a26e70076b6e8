package dev.harmony.http.backend;

import dev.harmony.http.internal.client.ClientBodyException;
import dev.harmony.http.internal.client.EventLoopClient;
import dev.harmony.http.internal.client.OutgoingBody;
import dev.harmony.message.Attribute;
import dev.harmony.message.Body;
import dev.harmony.message.Protocol;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.AsyncBackend;
import dev.harmony.pipeline.Rejection;
import dev.harmony.pipeline.RejectionException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards each request to an upstream base URL (http or https): method, the path below the ingress
 * prefix, query, headers and body; the upstream's status, headers and body come back unchanged
 * (hop-by-hop headers aside, see {@link ForwardedHeaders}). Redirects are passed back, not followed.
 *
 * <p>One non-blocking HTTP/1.1 client (our own, in {@code internal.client}) carries every request, with or without
 * a body: no thread waits for the upstream, and a request from an ingress IO thread goes out on
 * keep-alive connections owned by that thread. Request bodies of up to 64 KiB with a known length are
 * collected first and sent with the head (so they can be resent on a fresh connection); bigger or
 * chunked ones stream to the upstream as the client sends them, never read twice.
 *
 * <p>Refused or unreachable upstream, a malformed, truncated or switched-protocol answer: 502
 * ({@code UPSTREAM_UNAVAILABLE}); no answer within the read timeout: 504 ({@code UPSTREAM_TIMEOUT}).
 * The client never sees the upstream's address or the failure's text; both are logged with the
 * exchange id.
 *
 * <pre>{@code
 * HttpForward.to(URI.create("https://fhir.internal/fhir"))
 *         .trust(Path.of("/etc/harmony/internal-ca.pem"))
 *         .connectTimeout(Duration.ofSeconds(2))
 *         .readTimeout(Duration.ofSeconds(30))
 *         .build()
 * }</pre>
 */
public final class HttpForward implements AsyncBackend {
    private static final Logger LOG = LoggerFactory.getLogger(HttpForward.class);
    /** Bodies of a known length up to this are collected and sent whole; bigger ones stream. */
    static final int WHOLE_BODY = 64 * 1024;

    private final URI upstream;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final int maxIdleConnections;
    private final SSLContext tls;
    private final String basePath;
    private volatile EventLoopClient client;

    private HttpForward(Builder b) {
        this.upstream = b.upstream;
        this.connectTimeout = b.connectTimeout;
        this.readTimeout = b.readTimeout;
        this.maxIdleConnections = b.maxIdleConnections;
        this.tls = b.tls;
        String p = upstream.getRawPath() == null ? "" : upstream.getRawPath();
        this.basePath = p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    /**
     * Forwards to {@code baseUrl} (http or https); a request for {@code /Patient/1} under the ingress
     * prefix goes to {@code baseUrl + "/Patient/1"}. User info in the URL is ignored.
     */
    public static Builder to(URI baseUrl) {
        Objects.requireNonNull(baseUrl, "HttpForward upstream");
        String scheme = baseUrl.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || baseUrl.getHost() == null || baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null) {
            throw new IllegalArgumentException("HttpForward: upstream must be an http(s) base URL without query,"
                    + " got '" + withoutUserInfo(baseUrl) + "'");
        }
        return new Builder(URI.create(scheme.toLowerCase(java.util.Locale.ROOT) + "://" + hostPort(baseUrl)
                + (baseUrl.getRawPath() == null ? "" : baseUrl.getRawPath())));
    }

    /** Options of an {@link HttpForward}; {@link #build()} makes the stage. */
    public static final class Builder {
        private final URI upstream;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration readTimeout = Duration.ofSeconds(30);
        private int maxIdleConnections = 64;
        private SSLContext tls;

        private Builder(URI upstream) {
            this.upstream = upstream;
        }

        /** How long to wait for a TCP (and TLS) connection, queueing for a busy one included; default 5 s. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /**
         * The longest silence from the upstream: from the end of the request (or the last request body
         * bytes it took) to the answer's head and, for bodies up to 64 KiB, its end; then between the
         * bytes of a bigger answer. Default 30 s.
         */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = positive(timeout, "readTimeout");
            return this;
        }

        /** The most connections to the upstream per IO thread (kept alive while idle); default 64. */
        public Builder maxIdleConnections(int connections) {
            if (connections < 1) {
                throw new IllegalArgumentException("HttpForward.maxIdleConnections must be >= 1, got " + connections);
            }
            this.maxIdleConnections = connections;
            return this;
        }

        /**
         * For an https upstream: trust the CA or self-signed certificates in this PEM file (instead of the
         * JVM's default trust store). The upstream's host name is checked against its certificate either way.
         */
        public Builder trust(Path pemCertificates) {
            Objects.requireNonNull(pemCertificates, "trust");
            try (InputStream in = Files.newInputStream(pemCertificates)) {
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                int i = 0;
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    store.setCertificateEntry("trusted-" + i++, c);
                }
                if (i == 0) {
                    throw new IllegalArgumentException("HttpForward.trust: no certificate in " + pemCertificates);
                }
                return trust(store);
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalArgumentException("HttpForward.trust: cannot read " + pemCertificates + ": " + e, e);
            }
        }

        /** For an https upstream: trust the certificates of this key store (a PKCS#12 trust store, say). */
        public Builder trust(KeyStore trustStore) {
            Objects.requireNonNull(trustStore, "trust");
            try {
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trustStore);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(null, tmf.getTrustManagers(), null);
                return tls(context);
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("HttpForward.trust: " + e, e);
            }
        }

        /** For an https upstream: this TLS context (its trust, and client certificates if it has keys). */
        public Builder tls(SSLContext context) {
            this.tls = Objects.requireNonNull(context, "tls");
            return this;
        }

        /** The forward with these options. */
        public HttpForward build() {
            return new HttpForward(this);
        }
    }

    /** The upstream base URL. */
    public URI upstream() {
        return upstream;
    }

    @Override
    public synchronized void start() {
        if (client == null) {
            EventLoopClient c = new EventLoopClient(URI.create(upstream.getScheme() + "://" + hostPort(upstream)),
                    connectTimeout, readTimeout, maxIdleConnections, Function.identity(), tls);
            c.start();
            client = c;
        }
    }

    @Override
    public synchronized void stop() {
        if (client != null) {
            client.close();
            client = null;
        }
    }

    /** Forwards without blocking the calling thread; the answer completes on an I/O thread. */
    @Override
    public CompletionStage<Response> handleAsync(Request request) {
        EventLoopClient c = client;
        if (c == null) {
            throw new IllegalStateException("HttpForward to " + upstream + " is not started");
        }
        String target = originForm(request);
        Function<Throwable, Throwable> failed = t -> failure(t, request);
        Body body = request.body();
        long length = body.length();
        if (length == 0) {
            return send(c, request, target, null, failed);
        }
        if (body.isRepeatable() && body.file().isEmpty()) { // bytes or JSON: already in memory
            return send(c, request, target, OutgoingBody.whole(body.bytes()), failed);
        }
        Body.Source source = body.source().orElse(null);
        if (source == null) { // a stream or a file: read with blocking reads, on a worker
            source = new InputStreamSource(body.stream(), c.blockingExecutor());
        }
        if (length > 0 && length <= WHOLE_BODY) {
            return collect(c, request, target, source, (int) length, failed);
        }
        return send(c, request, target, OutgoingBody.streamed(source, length), failed);
    }

    private static CompletableFuture<Response> send(EventLoopClient c, Request request, String target,
            OutgoingBody body, Function<Throwable, Throwable> failed) {
        return c.send(request.operation(), target, sink -> ForwardedHeaders.upstream(request, sink), body, failed);
    }

    /** Reads a small body of known length whole, then sends it with the head. */
    private static CompletionStage<Response> collect(EventLoopClient c, Request request, String target,
            Body.Source source, int length, Function<Throwable, Throwable> failed) {
        CompletableFuture<Response> answer = new CompletableFuture<>();
        byte[] whole = new byte[length];
        source.read(new Body.Reader() {
            private int filled;

            @Override
            public void onData(ByteBuffer data) {
                if (data.remaining() > length - filled) {
                    source.cancel();
                    onError(new IOException("request body longer than its declared " + length + " bytes"));
                    return;
                }
                int n = data.remaining();
                data.get(whole, filled, n);
                filled += n;
                source.read(this);
            }

            @Override
            public void onEnd() {
                if (filled != length) {
                    onError(new IOException("request body ended after " + filled + " of " + length + " bytes"));
                    return;
                }
                send(c, request, target, OutgoingBody.whole(whole), failed).whenComplete((response, failure) -> {
                    if (failure != null) {
                        answer.completeExceptionally(failure);
                    } else {
                        answer.complete(response);
                    }
                });
            }

            @Override
            public void onError(Throwable failure) {
                answer.completeExceptionally(failed.apply(failure instanceof RuntimeException ? failure
                        : new ClientBodyException(failure.getMessage(), failure)));
            }
        });
        return answer;
    }

    /**
     * The encoded path and query to send: base path + the path below the ingress prefix + query, each
     * percent-encoded once (existing escapes kept); a fragment is never sent. Dot segments are refused:
     * the upstream must not resolve its way out of the base path.
     */
    private String originForm(Request request) {
        String path = request.path();
        int hash = path.indexOf('#');
        if (hash >= 0) {
            path = path.substring(0, hash);
        }
        if (!path.isEmpty() && !path.startsWith("/")) {
            path = "/" + path;
        }
        if (hasDotSegment(path)) {
            throw Rejection.malformed("request path must not contain '.' or '..' segments").toException();
        }
        String encoded = basePath.isEmpty() && path.isEmpty() ? "/" : basePath + PercentEncoding.path(path);
        String query = request.query();
        int queryHash = query.indexOf('#');
        if (queryHash >= 0) {
            query = query.substring(0, queryHash);
        }
        return query.isEmpty() ? encoded : encoded + "?" + PercentEncoding.query(query);
    }

    private static boolean hasDotSegment(String path) {
        if (path.indexOf('.') < 0 && path.indexOf('%') < 0) {
            return false;
        }
        for (String segment : path.split("/", -1)) {
            String s = segment.replace("%2e", ".").replace("%2E", ".");
            if (s.equals(".") || s.equals("..")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Our own rejection (the client's body too large or too slow) wins; else a 502 or a 504 with a
     * message that names neither the upstream nor the failure, which go to the log with the exchange id.
     */
    private Throwable failure(Throwable t, Request request) {
        Throwable e = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        for (Throwable x = e; x != null; x = x.getCause()) {
            if (x instanceof RejectionException r) {
                return r;
            }
        }
        String id = request.attribute(Attribute.EXCHANGE_ID).orElse("-");
        if (e instanceof ClientBodyException) {
            LOG.info("exchange {}: {} {} not forwarded, the request body failed: {}", id, request.operation(),
                    request.path(), e.getMessage());
            return Rejection.malformed("the request body ended before its declared length or could not be read")
                    .withReason("REQUEST_BODY_INCOMPLETE").toException();
        }
        if (e instanceof IllegalArgumentException) { // from the request head: a control character, a bad method
            LOG.info("exchange {}: {} {} not forwarded: {}", id, request.operation(), request.path(), e.getMessage());
            return Rejection.malformed("the request cannot be forwarded: " + e.getMessage()).toException();
        }
        LOG.warn("exchange {}: {} {} to upstream {} failed: {}", id, request.operation(), request.path(),
                upstream.getScheme() + "://" + hostPort(upstream), e.toString());
        if (e instanceof SocketTimeoutException) {
            return Rejection.upstreamTimeout("the upstream did not answer in time")
                    .withReason("UPSTREAM_TIMEOUT").toException();
        }
        if (e instanceof ConnectException || e instanceof NoRouteToHostException || e instanceof UnknownHostException) {
            return Rejection.upstreamUnavailable("the upstream is unreachable")
                    .withReason("UPSTREAM_UNAVAILABLE").toException();
        }
        if (e instanceof SSLException) {
            return Rejection.upstreamUnavailable("no trusted TLS connection to the upstream")
                    .withReason("UPSTREAM_UNAVAILABLE").toException();
        }
        if (e instanceof IOException) {
            return Rejection.upstreamUnavailable("the upstream failed to answer")
                    .withReason("UPSTREAM_UNAVAILABLE").toException();
        }
        return e; // not a network failure: the pipeline reports it as an internal error
    }

    @Override
    public Set<Protocol> protocols() {
        return Set.of(Protocol.HTTP);
    }

    @Override
    public Description describe() {
        return new Description("HTTP Forward", upstream.getScheme() + "://" + hostPort(upstream)
                + (upstream.getRawPath() == null ? "" : upstream.getRawPath()));
    }

    private static String hostPort(URI uri) {
        String host = uri.getHost();
        int port = uri.getPort() != -1 ? uri.getPort() : uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
        return (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
    }

    private static String withoutUserInfo(URI uri) {
        return uri.getRawUserInfo() == null ? uri.toString() : uri.toString().replace(uri.getRawUserInfo() + "@", "");
    }

    private static Duration positive(Duration d, String option) {
        Objects.requireNonNull(d, option);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("HttpForward." + option + " must be positive, got " + d);
        }
        return d;
    }

    /** A blocking stream (a file, a body a blocking stage made) as a source: each read runs on {@code executor}. */
    private static final class InputStreamSource implements Body.Source {
        private final InputStream in;
        private final Executor executor;
        private final byte[] buffer = new byte[16 * 1024];

        InputStreamSource(InputStream in, Executor executor) {
            this.in = in;
            this.executor = executor;
        }

        @Override
        public void read(Body.Reader reader) {
            executor.execute(() -> {
                int n;
                try {
                    do {
                        n = in.read(buffer);
                    } while (n == 0);
                } catch (IOException | RuntimeException e) {
                    cancel();
                    reader.onError(e);
                    return;
                }
                if (n < 0) {
                    cancel();
                    reader.onEnd();
                } else {
                    reader.onData(ByteBuffer.wrap(buffer, 0, n));
                }
            });
        }

        @Override
        public void cancel() {
            try {
                in.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
        }
    }
}
