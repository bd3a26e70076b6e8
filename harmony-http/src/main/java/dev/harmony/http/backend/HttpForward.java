package dev.harmony.http.backend;

import dev.harmony.message.Body;
import dev.harmony.message.Protocol;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.AsyncBackend;
import dev.harmony.pipeline.Rejection;
import dev.harmony.pipeline.RejectionException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.RequestBody;
import okhttp3.ResponseBody;

/**
 * Forwards each request to an upstream base URL with OkHttp: method, the path below the ingress
 * prefix, query, headers and body; the upstream's status, headers and body come back unchanged
 * (hop-by-hop headers aside). Bodies stream both ways and are never held whole. One client and
 * connection pool per backend; redirects are passed back to the caller, not followed.
 *
 * <p>Refused or unreachable upstream: 502 ({@code UPSTREAM_UNAVAILABLE}); no answer within the
 * timeouts: 504 ({@code UPSTREAM_TIMEOUT}).
 *
 * <p>Called without blocking ({@link #handleAsync}, as the HTTP ingress does for requests without a
 * body), a request without a body to a plain-http upstream goes out on a non-blocking client whose
 * connections belong to the calling IO thread: no thread waits for the upstream. Everything else
 * (bodies, https, followed redirects, blocking callers) goes through OkHttp.
 *
 * <pre>{@code
 * HttpForward.to(URI.create("http://fhir.internal:8080/fhir"))
 *         .connectTimeout(Duration.ofSeconds(2))
 *         .readTimeout(Duration.ofSeconds(30))
 * }</pre>
 */
public final class HttpForward implements AsyncBackend {
    /** Methods OkHttp refuses without a body; an empty request of these gets an empty body. */
    private static final Set<String> METHODS_WITH_BODY = Set.of("POST", "PUT", "PATCH", "PROPPATCH", "REPORT");

    private final HttpUrl upstream;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Duration callTimeout;
    private final int maxIdleConnections;
    private final boolean followRedirects;
    private final String basePath;
    private volatile OkHttpClient client;
    private volatile EventLoopClient eventLoop;

    private HttpForward(HttpUrl upstream, Duration connectTimeout, Duration readTimeout, Duration callTimeout,
            int maxIdleConnections, boolean followRedirects) {
        this.upstream = upstream;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.callTimeout = callTimeout;
        this.maxIdleConnections = maxIdleConnections;
        this.followRedirects = followRedirects;
        String p = upstream.encodedPath();
        this.basePath = p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    /**
     * Forwards to {@code baseUrl} (http or https); a request for {@code /Patient/1} under the ingress
     * prefix goes to {@code baseUrl + "/Patient/1"}.
     */
    public static HttpForward to(URI baseUrl) {
        Objects.requireNonNull(baseUrl, "HttpForward upstream");
        HttpUrl url = HttpUrl.parse(baseUrl.toString());
        if (url == null || baseUrl.getRawQuery() != null || baseUrl.getRawFragment() != null) {
            throw new IllegalArgumentException("HttpForward: upstream must be an http(s) base URL without query,"
                    + " got '" + baseUrl + "'");
        }
        return new HttpForward(url, Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(60), 64, false);
    }

    /** How long to wait for a TCP (and TLS) connection; default 5 s. */
    public HttpForward connectTimeout(Duration timeout) {
        return new HttpForward(upstream, positive(timeout, "connectTimeout"), readTimeout, callTimeout,
                maxIdleConnections, followRedirects);
    }

    /** The longest silence while waiting for response bytes; default 30 s. */
    public HttpForward readTimeout(Duration timeout) {
        return new HttpForward(upstream, connectTimeout, positive(timeout, "readTimeout"), callTimeout,
                maxIdleConnections, followRedirects);
    }

    /**
     * The limit for the whole call including the response body, on the OkHttp path; default 60 s
     * ({@link Duration#ZERO}: none). On the non-blocking path the read timeout bounds the wait for the
     * whole head and a body of up to 64 KiB, and each read of a bigger, streamed body.
     */
    public HttpForward callTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "callTimeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("HttpForward.callTimeout must not be negative");
        }
        return new HttpForward(upstream, connectTimeout, readTimeout, timeout, maxIdleConnections, followRedirects);
    }

    /** How many idle keep-alive connections to the upstream to keep; default 64. */
    public HttpForward maxIdleConnections(int connections) {
        if (connections < 1) {
            throw new IllegalArgumentException("HttpForward.maxIdleConnections must be >= 1, got " + connections);
        }
        return new HttpForward(upstream, connectTimeout, readTimeout, callTimeout, connections, followRedirects);
    }

    /** Follow upstream redirects instead of passing them back (default: pass them back). */
    public HttpForward followRedirects(boolean follow) {
        return new HttpForward(upstream, connectTimeout, readTimeout, callTimeout, maxIdleConnections, follow);
    }

    /** The upstream base URL. */
    public URI upstream() {
        return upstream.uri();
    }

    @Override
    public synchronized void start() {
        if (client != null) {
            return;
        }
        Dispatcher dispatcher = new Dispatcher();
        // Bounds only enqueued (asynchronous) calls, each of which takes one of OkHttp's threads; blocking
        // calls are bounded by the caller's threads.
        dispatcher.setMaxRequests(256);
        dispatcher.setMaxRequestsPerHost(256);
        client = new OkHttpClient.Builder()
                .dispatcher(dispatcher)
                .connectionPool(new ConnectionPool(maxIdleConnections, 5, TimeUnit.MINUTES))
                .connectTimeout(connectTimeout)
                .readTimeout(readTimeout)
                .writeTimeout(readTimeout)
                .callTimeout(callTimeout)
                .followRedirects(followRedirects)
                .followSslRedirects(followRedirects)
                .retryOnConnectionFailure(true)
                .socketFactory(new NoDelaySocketFactory())
                .build();
        if (upstream.scheme().equals("http") && !followRedirects) {
            EventLoopClient loop = new EventLoopClient(URI.create("http://" + hostPort()), connectTimeout,
                    readTimeout, maxIdleConnections, t -> failure(unwrap(t)));
            loop.start();
            eventLoop = loop;
        }
    }

    @Override
    public synchronized void stop() {
        if (eventLoop != null) {
            eventLoop.close();
            eventLoop = null;
        }
        if (client != null) {
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
            client = null;
        }
    }

    /**
     * Forwards with OkHttp on the calling thread, which waits for the upstream's status and headers (for
     * callers outside a pipeline; a pipeline calls {@link #handleAsync}).
     */
    public Response handle(Request request) {
        okhttp3.Response answer;
        try {
            answer = client().newCall(outgoing(request)).execute();
        } catch (IOException | RuntimeException e) {
            throw failure(e);
        }
        return response(answer);
    }

    /** Forwards without blocking the calling thread (see the class comment for which client). */
    @Override
    public CompletionStage<Response> handleAsync(Request request) {
        EventLoopClient loop = eventLoop;
        if (loop != null && request.body().length() == 0) {
            return loop.send(request.operation(), originForm(request), sink -> ForwardedHeaders.upstream(request, sink));
        }
        CompletableFuture<Response> answer = new CompletableFuture<>();
        client().newCall(outgoing(request)).enqueue(new Callback() {
            @Override
            public void onResponse(Call call, okhttp3.Response response) {
                answer.complete(response(response));
            }

            @Override
            public void onFailure(Call call, IOException e) {
                answer.completeExceptionally(failure(e));
            }
        });
        return answer;
    }

    private OkHttpClient client() {
        OkHttpClient c = client;
        if (c == null) {
            throw new IllegalStateException("HttpForward to " + upstream + " is not started");
        }
        return c;
    }

    private okhttp3.Request outgoing(Request request) {
        return new okhttp3.Request.Builder()
                .url(target(request))
                .headers(ForwardedHeaders.upstream(request))
                .method(request.operation(), body(request))
                .build();
    }

    private static Response response(okhttp3.Response answer) {
        ResponseBody responseBody = answer.body();
        Body body = responseBody == null ? Body.empty()
                : Body.ofStream(responseBody.byteStream(), responseBody.contentLength(),
                        answer.header("Content-Type"));
        return Response.of(answer.code()).withHeaders(ForwardedHeaders.downstream(answer.headers())).withBody(body);
    }

    private static Exception unwrap(Throwable t) {
        Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        return c instanceof Exception e ? e : new IOException(c);
    }

    private String hostPort() {
        String host = upstream.host().contains(":") ? "[" + upstream.host() + "]" : upstream.host();
        return host + ":" + upstream.port();
    }

    /** The upstream URL: base path + the path below the ingress prefix + query, kept percent-encoded. */
    private HttpUrl target(Request request) {
        String path = request.path();
        if (!path.isEmpty() && !path.startsWith("/")) {
            path = "/" + path;
        }
        try {
            // newBuilder() reuses the already canonical host; parsing a whole URL string per request would not.
            return upstream.newBuilder()
                    .encodedPath(basePath.isEmpty() && path.isEmpty() ? "/" : basePath + PercentEncoding.path(path))
                    .encodedQuery(request.query().isEmpty() ? null : PercentEncoding.query(request.query()))
                    .build();
        } catch (IllegalArgumentException e) {
            throw Rejection.malformed("cannot forward to '" + path + "': not a valid request target").toException();
        }
    }

    /**
     * The encoded path and query of {@link #target}, built directly: the same string for ordinary paths;
     * anything that might hold a dot segment takes the URL builder's way, which resolves them.
     */
    private String originForm(Request request) {
        String path = request.path();
        if (path.contains("/.") || path.startsWith(".") || path.contains("%2e") || path.contains("%2E")) {
            HttpUrl url = target(request);
            return url.encodedQuery() == null ? url.encodedPath() : url.encodedPath() + "?" + url.encodedQuery();
        }
        if (!path.isEmpty() && !path.startsWith("/")) {
            path = "/" + path;
        }
        String encoded = basePath.isEmpty() && path.isEmpty() ? "/" : basePath + PercentEncoding.path(path);
        return request.query().isEmpty() ? encoded : encoded + "?" + PercentEncoding.query(request.query());
    }

    private static RequestBody body(Request request) {
        Body body = request.body();
        boolean hasBody = body.length() > 0 || (body.length() < 0 && !body.isRepeatable());
        if (hasBody) {
            return new StreamingRequestBody(body);
        }
        return METHODS_WITH_BODY.contains(request.operation()) ? RequestBody.create(new byte[0], null) : null;
    }

    /** Our own rejection (e.g. the client's body over the limit) wins; else a 502 or a 504 for the upstream. */
    private RuntimeException failure(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RejectionException r) {
                return r;
            }
            for (Throwable s : t.getSuppressed()) {
                if (s instanceof RejectionException r) {
                    return r;
                }
            }
        }
        String where = "upstream " + upstream.scheme() + "://" + hostPort();
        if (e instanceof SocketTimeoutException || (e instanceof InterruptedIOException && "timeout".equals(e.getMessage()))) {
            return Rejection.upstreamTimeout(where + " did not answer in time (" + e.getMessage() + ")")
                    .withReason("UPSTREAM_TIMEOUT").toException();
        }
        if (e instanceof ConnectException || e instanceof NoRouteToHostException || e instanceof UnknownHostException) {
            return Rejection.upstreamUnavailable(where + " is unreachable: " + e.getMessage())
                    .withReason("UPSTREAM_UNAVAILABLE").toException();
        }
        if (e instanceof RuntimeException r) {
            return r; // not a network failure: the pipeline reports it as an internal error
        }
        return Rejection.upstreamUnavailable(where + " failed: " + e.getMessage())
                .withReason("UPSTREAM_UNAVAILABLE").toException();
    }

    @Override
    public Set<Protocol> protocols() {
        return Set.of(Protocol.HTTP);
    }

    @Override
    public Description describe() {
        return new Description("HTTP Forward", upstream.scheme() + "://" + upstream.host() + ":" + upstream.port()
                + upstream.encodedPath());
    }

    private static Duration positive(Duration d, String option) {
        Objects.requireNonNull(d, option);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("HttpForward." + option + " must be positive, got " + d);
        }
        return d;
    }
}
