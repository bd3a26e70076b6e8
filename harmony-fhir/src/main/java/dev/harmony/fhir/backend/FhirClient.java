package dev.harmony.fhir.backend;

import dev.harmony.fhir.Fhir;
import dev.harmony.http.internal.client.ConnectTimeoutException;
import dev.harmony.http.internal.client.EventLoopClient;
import dev.harmony.http.internal.client.OutgoingBody;
import dev.harmony.message.Attribute;
import dev.harmony.message.Body;
import dev.harmony.message.Headers;
import dev.harmony.message.Json;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Backend;
import dev.harmony.pipeline.Rejection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.XnioIoThread;

/**
 * Sends the FHIR resource in the request body to a FHIR server and returns the server's answer.
 *
 * <pre>{@code
 * Backend store = FhirClient.to(URI.create("https://fhir.example.org/r4"))
 *         .asTransaction()                 // wrap in a transaction Bundle, POST to the base
 *         .conditionalCreate("urn:oid:1.2.3.4") // ifNoneExist on the MRN: resends and retries stay idempotent
 *         .auth(FhirAuth.bearer(token))
 *         .build();
 * }</pre>
 *
 * <p>The resource is POSTed as it is to {@code base/<resourceType>}, or with {@link Builder#asTransaction()}
 * inside a transaction Bundle to the base (a body that already is a transaction or batch Bundle goes to
 * the base unchanged). With {@link Builder#conditionalCreate(String)} the create carries
 * {@code ifNoneExist}/{@code If-None-Exist: identifier=<system>|<value>}, so resending the same payload
 * finds the existing resource instead of creating a second one.
 *
 * <p>Answers: a success passes through with the server's status and body (the transaction-response);
 * an error becomes a rejection of the matching kind that keeps the issues of the server's
 * {@code OperationOutcome} (a 400 stays 400, 422 stays 422...; a 401 or 403 for Harmony's own
 * credentials becomes FORBIDDEN, 5xx UPSTREAM_UNAVAILABLE, 504 UPSTREAM_TIMEOUT, 429 TOO_MANY_REQUESTS with
 * its Retry-After: the kinds a delivery queue classifies as permanent or retryable). Connection failures, 503 and 429 are
 * retried with bounded backoff (see {@link Retry}; {@code Retry-After} is honoured); read timeouts only
 * when the request is idempotent. One {@link Builder#deadline(Duration) deadline} (30 s) bounds all
 * attempts and waits together. When retries or time run out: unreachable is 502, no answer in time 504.
 *
 * <p>Each client keeps its own keep-alive connections to its server, on Harmony's one HTTP client
 * (harmony-http-client, the one {@code HttpForward} uses); {@link #handle} blocks its calling thread,
 * which also reads the answer, at most for the timeouts above. {@link #stop()} closes the connections.
 */
public final class FhirClient implements Backend {
    /** Where the server put (or found) the resource, e.g. {@code Patient/12/_history/1}. */
    public static final Attribute<String> LOCATION = Attribute.of("fhir.location", String.class);
    /** How many attempts the exchange took (1 = no retry). */
    public static final Attribute<Integer> ATTEMPTS = Attribute.of("fhir.attempts", Integer.class);

    private static final Logger LOG = LoggerFactory.getLogger(FhirClient.class);
    private static final String FHIR_JSON = Fhir.JSON + "; charset=utf-8";
    /** Keep-alive connections to the server per I/O thread of the client. */
    private static final int MAX_CONNECTIONS = 16;
    /** Retrying makes no sense with less time than this left. */
    private static final Duration MIN_ATTEMPT = Duration.ofMillis(50);

    private final URI origin;
    /** The base's path without a trailing slash ("" for the root). */
    private final String basePath;
    private final String server;
    private final boolean asTransaction;
    private final Outgoing.IdentifierCondition condition;
    private final FhirAuth auth;
    private final Retry retry;
    private final Duration deadline;
    private final long maxResponseBytes;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Sleeper sleeper;
    private final Clock clock;
    /** Created on start (or first use), closed on stop. */
    private EventLoopClient http;

    private FhirClient(Builder b, URI origin, String basePath) {
        this.origin = origin;
        this.basePath = basePath;
        this.server = origin + (basePath.isEmpty() ? "/" : basePath);
        this.asTransaction = b.asTransaction;
        this.condition = b.condition;
        this.auth = b.auth;
        this.retry = b.retry;
        this.deadline = b.deadline;
        this.maxResponseBytes = b.maxResponseBytes;
        this.sleeper = b.sleeper;
        this.clock = b.clock;
        this.connectTimeout = b.connectTimeout;
        this.readTimeout = b.readTimeout;
    }

    /** Resolves the server's host name once; connections open on demand. */
    @Override
    public void start() {
        http();
    }

    /** Closes the connections; a later request opens new ones. */
    @Override
    public synchronized void stop() {
        if (http != null) {
            http.close();
            http = null;
        }
    }

    private synchronized EventLoopClient http() {
        if (http == null) {
            EventLoopClient c = new EventLoopClient(origin, connectTimeout, readTimeout, MAX_CONNECTIONS,
                    Function.identity(), null);
            c.start();
            http = c;
        }
        return http;
    }

    /** A client for the FHIR server at {@code base}, e.g. {@code http://127.0.0.1:8080/fhir}. */
    public static Builder to(URI base) {
        return new Builder(base);
    }

    @Override
    public Response handle(Request request) {
        if (Thread.currentThread() instanceof XnioIoThread) {
            // its answer would complete on this very thread, which would be blocked waiting for it
            throw new IllegalStateException("FhirClient blocks: call it from a worker thread, not an I/O thread");
        }
        Outgoing out = Outgoing.of(basePath, request.body().json(), asTransaction, condition);
        byte[] payload;
        try {
            payload = Json.mapper().writeValueAsBytes(out.body());
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise the FHIR request", e);
        }
        String exchangeId = request.attribute(Attribute.EXCHANGE_ID).orElse(null);
        Headers headers = headers(out, exchangeId);
        long deadlineAt = System.nanoTime() + deadline.toNanos(); // all attempts and waits together
        for (int attempt = 1; ; attempt++) {
            boolean last = attempt >= retry.maxAttempts();
            ServerAnswer answer;
            try {
                answer = send(out, payload, headers, deadlineAt);
            } catch (IOException e) {
                if (Thread.currentThread().isInterrupted()) {
                    return interrupted(attempt); // stopping, not a slow server
                }
                boolean timedOut = isTimeout(e);
                boolean safe = !timedOut && isConnectFailure(e) || out.idempotent();
                Duration wait = retry.delayBefore(attempt + 1);
                if (last || !safe || !fits(wait, deadlineAt)) {
                    boolean outOfTime = !last && safe || !fits(Duration.ZERO, deadlineAt);
                    return failure(out, e, timedOut, attempt, outOfTime);
                }
                LOG.warn("FHIR server {} attempt {}/{} failed ({}); retrying", server, attempt, retry.maxAttempts(),
                        e.toString());
                if (!pause(wait)) {
                    return interrupted(attempt);
                }
                continue;
            }
            if (answer.isTransient() && !last) {
                Duration wait = answer.retryAfter() != null ? answer.retryAfter() : retry.delayBefore(attempt + 1);
                if (wait.compareTo(retry.maxDelay()) <= 0 && fits(wait, deadlineAt)) {
                    LOG.warn("FHIR server {} answered {} (attempt {}/{}); retrying in {} ms", server, answer.status(),
                            attempt, retry.maxAttempts(), wait.toMillis());
                    if (!pause(wait)) {
                        return interrupted(attempt);
                    }
                    continue;
                }
            }
            return answer.toResponse(out, server, attempt);
        }
    }

    /** Whether waiting {@code wait} still leaves time for another attempt before the deadline. */
    private static boolean fits(Duration wait, long deadlineAt) {
        return deadlineAt - System.nanoTime() - wait.toNanos() > MIN_ATTEMPT.toNanos();
    }

    private Headers headers(Outgoing out, String exchangeId) {
        Headers.Builder b = Headers.builder().add("Accept", Fhir.JSON).add("Content-Type", FHIR_JSON);
        auth.authorization().ifPresent(v -> b.add("Authorization", v));
        if (exchangeId != null) {
            b.add("X-Request-ID", exchangeId);
        }
        if (!out.transaction() && out.ifNoneExist() != null) {
            b.add("If-None-Exist", out.ifNoneExist());
        }
        return b.build();
    }

    /**
     * One attempt, connecting to reading the whole answer, cut off at {@code deadlineAt}. The answer's
     * body is read here, on the calling thread: a big or chunked one streams from the socket with reads
     * of at most the read timeout each, and the deadline is checked between them.
     */
    private ServerAnswer send(Outgoing out, byte[] payload, Headers headers, long deadlineAt) throws IOException {
        long left = deadlineAt - System.nanoTime();
        if (left <= 0) {
            throw new InterruptedIOException("deadline reached");
        }
        Consumer<BiConsumer<String, String>> each = sink -> headers.forEach((name, values) -> {
            for (String v : values) {
                sink.accept(name, v);
            }
        });
        CompletableFuture<Response> pending = http().send("POST", out.target(), each,
                OutgoingBody.whole(payload), Function.identity());
        Response r;
        try {
            r = pending.get(left, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            // the exchange ends by itself (read timeout at the latest); a late streamed answer must still
            // give its connection back, so close it unread
            pending.whenComplete((late, failure) -> {
                if (late != null) {
                    discard(late);
                }
            });
            throw new InterruptedIOException("deadline reached");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pending.whenComplete((late, failure) -> {
                if (late != null) {
                    discard(late);
                }
            });
            throw new InterruptedIOException("interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException(String.valueOf(cause), cause);
        }
        Body body = r.body();
        byte[] bytes;
        if (body.length() > maxResponseBytes) {
            discard(r);
            throw new IOException("response larger than " + maxResponseBytes + " bytes");
        }
        try (InputStream in = body.stream()) {
            bytes = readAll(in, deadlineAt);
        }
        Headers h = r.headers();
        return new ServerAnswer(r.status(), body.contentType().orElse(null), bytes, h.first("Location").orElse(null),
                h.first("ETag").orElse(null), retryAfter(h.first("Retry-After").orElse(null)));
    }

    /** Up to {@code maxResponseBytes}; more is the server's failure, and so is the deadline passing. */
    private byte[] readAll(InputStream in, long deadlineAt) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] chunk = new byte[16 * 1024];
        for (int n; (n = in.read(chunk)) != -1; ) {
            all.write(chunk, 0, n);
            if (all.size() > maxResponseBytes) {
                throw new IOException("response larger than " + maxResponseBytes + " bytes");
            }
            if (System.nanoTime() - deadlineAt > 0) {
                throw new InterruptedIOException("deadline reached while reading the answer");
            }
        }
        return all.toByteArray();
    }

    /** Closing an unread stream closes its connection (it is not worth reading to the end). */
    private static void discard(Response late) {
        try {
            late.body().stream().close();
        } catch (IOException | RuntimeException e) {
            // nothing more to release
        }
    }

    /** Seconds or an HTTP date (RFC 9110 10.2.3); null if absent or unreadable. */
    private Duration retryAfter(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String h = header.strip();
        if (h.chars().allMatch(Character::isDigit)) {
            return h.length() > 9 ? Duration.ofSeconds(999_999_999) : Duration.ofSeconds(Long.parseLong(h));
        }
        try {
            Instant at = ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration d = Duration.between(clock.instant(), at);
            return d.isNegative() ? Duration.ZERO : d;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private boolean pause(Duration d) {
        try {
            sleeper.sleep(d);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private Response failure(Outgoing out, IOException e, boolean timedOut, int attempts, boolean outOfTime) {
        String tries = (attempts == 1 ? "1 attempt" : attempts + " attempts")
                + (outOfTime ? "; the " + seconds(deadline) + " deadline ran out" : "");
        Rejection r = timedOut
                ? Rejection.upstreamTimeout("FHIR server " + server + " did not answer the " + out.what()
                        + " in time (" + tries + ")")
                : Rejection.upstreamUnavailable("FHIR server " + server + " is unreachable (" + tries + "): "
                        + describe(e));
        return Response.rejected(r).with(ATTEMPTS, attempts);
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    private Response interrupted(int attempts) {
        return Response.rejected(Rejection.unavailable("interrupted while talking to the FHIR server "
                + server + " (shutting down?)")).with(ATTEMPTS, attempts);
    }

    private static boolean isTimeout(IOException e) {
        // A connect timeout is a SocketTimeoutException too: that one is a connection failure (nothing
        // was sent), not a read timeout.
        return e instanceof InterruptedIOException && !isConnectFailure(e);
    }

    private static boolean isConnectFailure(IOException e) {
        if (e instanceof ConnectException || e instanceof NoRouteToHostException || e instanceof UnknownHostException) {
            return true;
        }
        return e instanceof ConnectTimeoutException || e.getCause() instanceof ConnectException;
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    @Override
    public Description describe() {
        // The server's URL is left to the diagram's target node: boxes stay readable.
        StringBuilder d = new StringBuilder(asTransaction ? "transaction Bundle" : "POST resource");
        if (condition != null) {
            d.append(", conditional create");
        }
        if (!auth.scheme().equals("none")) {
            d.append(", ").append(auth.scheme()).append(" auth");
        }
        return new Description("FHIR Client", d.toString());
    }

    @Override
    public String toString() {
        return "FhirClient[" + server + "]";
    }

    /** Configures a {@link FhirClient}. */
    public static final class Builder {
        private final URI base;
        private boolean asTransaction;
        private Outgoing.IdentifierCondition condition;
        private FhirAuth auth = FhirAuth.none();
        private Retry retry = Retry.standard();
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration readTimeout = Duration.ofSeconds(30);
        private Duration deadline = Duration.ofSeconds(30);
        private long maxResponseBytes = 16L * 1024 * 1024;
        private Sleeper sleeper = Sleeper.REAL;
        private Clock clock = Clock.systemUTC();

        private Builder(URI base) {
            this.base = Objects.requireNonNull(base, "base");
        }

        /** Wraps each resource in a transaction Bundle and POSTs it to the base. */
        public Builder asTransaction() {
            this.asTransaction = true;
            return this;
        }

        /**
         * Conditional create on the resource's identifier of {@code system}, e.g. the MRN system, wherever
         * it is in the list. A resource without one (or with two different ones) is refused with 422
         * before anything is sent.
         */
        public Builder conditionalCreate(String identifierSystem) {
            Objects.requireNonNull(identifierSystem, "identifierSystem");
            if (identifierSystem.isBlank()) {
                throw new IllegalArgumentException("FHIR Client: conditionalCreate needs an identifier system");
            }
            this.condition = new Outgoing.IdentifierCondition(identifierSystem);
            return this;
        }

        /** How to authenticate to the server; default {@link FhirAuth#none()}. */
        public Builder auth(FhirAuth value) {
            this.auth = Objects.requireNonNull(value, "auth");
            return this;
        }

        /** How transient failures are retried; default {@link Retry#standard()}. */
        public Builder retry(Retry value) {
            this.retry = Objects.requireNonNull(value, "retry");
            return this;
        }

        /** How long to wait for a connection; default 5 s. */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = positive(value, "connectTimeout");
            return this;
        }

        /** How long to wait for the server between bytes of its answer; default 30 s. */
        public Builder readTimeout(Duration value) {
            this.readTimeout = positive(value, "readTimeout");
            return this;
        }

        /**
         * The longest the caller waits for an answer, all attempts and backoff waits included; default
         * 30 s. An attempt still running then is cut off (504), and no retry starts that cannot finish
         * before it.
         */
        public Builder deadline(Duration value) {
            this.deadline = positive(value, "deadline");
            return this;
        }

        /** The largest answer read; bigger is treated as a failure of the server. Default 16 MiB. */
        public Builder maxResponseBytes(long value) {
            if (value < 1) {
                throw new IllegalArgumentException("FHIR Client: maxResponseBytes must be positive, got " + value);
            }
            this.maxResponseBytes = value;
            return this;
        }

        Builder sleeper(Sleeper value) {
            this.sleeper = Objects.requireNonNull(value, "sleeper");
            return this;
        }

        Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** @throws IllegalArgumentException if the base is not an absolute http(s) URL without query */
        public FhirClient build() {
            String scheme = base.getScheme() == null ? "" : base.getScheme().toLowerCase(java.util.Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || base.getHost() == null
                    || base.getRawQuery() != null || base.getRawFragment() != null) {
                throw new IllegalArgumentException("FHIR Client: base URL must be an absolute http(s) URL without "
                        + "query or fragment, got '" + safe(base) + "'");
            }
            if (base.getUserInfo() != null) {
                throw new IllegalArgumentException("FHIR Client: put credentials in auth(...), not in the base URL");
            }
            // A trailing slash would give an empty path segment before the resource type.
            String path = base.getRawPath() == null ? "" : base.getRawPath();
            while (path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            int port = base.getPort() != -1 ? base.getPort() : scheme.equals("https") ? 443 : 80;
            return new FhirClient(this, URI.create(scheme + "://" + base.getHost() + ":" + port), path);
        }

        private static String safe(URI uri) {
            return uri.getUserInfo() == null ? uri.toString() : uri.toString().replace(uri.getRawUserInfo() + "@", "***@");
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("FHIR Client: " + name + " must be positive, got " + d);
            }
            return d;
        }
    }
}
