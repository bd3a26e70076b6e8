package dev.harmony.fhir.backend;

import dev.harmony.fhir.Fhir;
import dev.harmony.message.Attribute;
import dev.harmony.message.Json;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Backend;
import dev.harmony.pipeline.Rejection;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.RequestBody;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the FHIR resource in the request body to a FHIR server and returns the server's answer.
 *
 * <pre>{@code
 * Backend store = FhirClient.to(URI.create("https://fhir.example.org/r4"))
 *         .asTransaction()                 // wrap in a transaction Bundle, POST to the base
 *         .conditionalCreate()             // ifNoneExist on the first identifier: retries stay idempotent
 *         .auth(FhirAuth.bearer(token))
 *         .build();
 * }</pre>
 *
 * <p>The resource is POSTed as it is to {@code base/<resourceType>}, or with {@link Builder#asTransaction()}
 * inside a transaction Bundle to the base (a body that already is a transaction or batch Bundle goes to
 * the base unchanged). With {@link Builder#conditionalCreate()} the create carries
 * {@code ifNoneExist}/{@code If-None-Exist: identifier=<system>|<value>}, so resending the same payload
 * finds the existing resource instead of creating a second one.
 *
 * <p>Answers: a success passes through with the server's status and body (the transaction-response);
 * an error becomes a rejection of the matching kind that keeps the issues of the server's
 * {@code OperationOutcome} (a 400 stays 400, 422 stays 422...; a 401 or 403 for Harmony's own
 * credentials becomes FORBIDDEN, 5xx UPSTREAM_UNAVAILABLE, 504 UPSTREAM_TIMEOUT, 429 TOO_MANY_REQUESTS with
 * its Retry-After: the kinds a delivery queue classifies as permanent or retryable). Connection failures, 503 and 429 are
 * retried with bounded backoff (see {@link Retry}; {@code Retry-After} is honoured); read timeouts only
 * when the request is idempotent. When retries run out: unreachable is 502, no answer in time 504.
 *
 * <p>All clients share one OkHttp connection pool and dispatcher.
 */
public final class FhirClient implements Backend {
    /** Where the server put (or found) the resource, e.g. {@code Patient/12/_history/1}. */
    public static final Attribute<String> LOCATION = Attribute.of("fhir.location", String.class);
    /** How many attempts the exchange took (1 = no retry). */
    public static final Attribute<Integer> ATTEMPTS = Attribute.of("fhir.attempts", Integer.class);

    private static final Logger LOG = LoggerFactory.getLogger(FhirClient.class);
    private static final MediaType FHIR_JSON = MediaType.get(Fhir.JSON + "; charset=utf-8");

    private final HttpUrl base;
    private final String server;
    private final boolean asTransaction;
    private final Outgoing.IdentifierCondition condition;
    private final FhirAuth auth;
    private final Retry retry;
    private final long maxResponseBytes;
    private final OkHttpClient http;
    private final Sleeper sleeper;
    private final Clock clock;

    private FhirClient(Builder b, HttpUrl base) {
        this.base = base;
        this.server = base.scheme() + "://" + base.host() + ":" + base.port() + base.encodedPath();
        this.asTransaction = b.asTransaction;
        this.condition = b.condition;
        this.auth = b.auth;
        this.retry = b.retry;
        this.maxResponseBytes = b.maxResponseBytes;
        this.sleeper = b.sleeper;
        this.clock = b.clock;
        this.http = SharedHttp.CLIENT.newBuilder()
                .connectTimeout(b.connectTimeout)
                .readTimeout(b.readTimeout)
                .writeTimeout(b.readTimeout)
                .build();
    }

    /** A client for the FHIR server at {@code base}, e.g. {@code http://127.0.0.1:8080/fhir}. */
    public static Builder to(URI base) {
        return new Builder(base);
    }

    @Override
    public Response handle(Request request) {
        Outgoing out = Outgoing.of(base, request.body().json(), asTransaction, condition);
        byte[] payload;
        try {
            payload = Json.mapper().writeValueAsBytes(out.body());
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise the FHIR request", e);
        }
        String exchangeId = request.attribute(Attribute.EXCHANGE_ID).orElse(null);
        okhttp3.Request call = build(out, payload, exchangeId);
        for (int attempt = 1; ; attempt++) {
            boolean last = attempt >= retry.maxAttempts();
            ServerAnswer answer;
            try {
                answer = send(call);
            } catch (IOException e) {
                if (Thread.currentThread().isInterrupted()) {
                    return interrupted(attempt); // stopping, not a slow server
                }
                boolean timedOut = isTimeout(e);
                boolean safe = !timedOut && isConnectFailure(e) || out.idempotent();
                if (last || !safe) {
                    return failure(out, e, timedOut, attempt);
                }
                LOG.warn("FHIR server {} attempt {}/{} failed ({}); retrying", server, attempt, retry.maxAttempts(),
                        e.toString());
                if (!pause(retry.delayBefore(attempt + 1))) {
                    return interrupted(attempt);
                }
                continue;
            }
            if (answer.isTransient() && !last) {
                Duration wait = answer.retryAfter() != null ? answer.retryAfter() : retry.delayBefore(attempt + 1);
                if (wait.compareTo(retry.maxDelay()) <= 0) {
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

    private okhttp3.Request build(Outgoing out, byte[] payload, String exchangeId) {
        okhttp3.Request.Builder b = new okhttp3.Request.Builder()
                .url(out.url())
                .header("Accept", Fhir.JSON)
                .post(RequestBody.create(payload, FHIR_JSON));
        auth.authorization().ifPresent(v -> b.header("Authorization", v));
        if (exchangeId != null) {
            b.header("X-Request-ID", exchangeId);
        }
        if (!out.transaction() && out.ifNoneExist() != null) {
            b.header("If-None-Exist", out.ifNoneExist());
        }
        return b.build();
    }

    private ServerAnswer send(okhttp3.Request call) throws IOException {
        try (okhttp3.Response r = http.newCall(call).execute()) {
            ResponseBody body = r.body();
            byte[] bytes;
            String type = null;
            if (body == null) {
                bytes = new byte[0];
            } else {
                MediaType mt = body.contentType();
                type = mt == null ? null : mt.toString();
                try (InputStream in = body.byteStream()) {
                    bytes = in.readNBytes((int) Math.min(maxResponseBytes + 1, Integer.MAX_VALUE - 8));
                }
                if (bytes.length > maxResponseBytes) {
                    throw new IOException("response larger than " + maxResponseBytes + " bytes");
                }
            }
            return new ServerAnswer(r.code(), type, bytes, r.header("Location"), r.header("ETag"),
                    retryAfter(r.header("Retry-After")));
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

    private Response failure(Outgoing out, IOException e, boolean timedOut, int attempts) {
        String tries = attempts == 1 ? "1 attempt" : attempts + " attempts";
        Rejection r = timedOut
                ? Rejection.upstreamTimeout("FHIR server " + server + " did not answer the " + out.what()
                        + " in time (" + tries + ")")
                : Rejection.upstreamUnavailable("FHIR server " + server + " is unreachable (" + tries + "): "
                        + describe(e));
        return Response.rejected(r).with(ATTEMPTS, attempts);
    }

    private Response interrupted(int attempts) {
        return Response.rejected(Rejection.unavailable("interrupted while talking to the FHIR server "
                + server + " (shutting down?)")).with(ATTEMPTS, attempts);
    }

    private static boolean isTimeout(IOException e) {
        // OkHttp reports a connect timeout as SocketTimeoutException("connect timed out"): that one is a
        // connection failure (nothing was sent), not a read timeout.
        return e instanceof InterruptedIOException && !isConnectFailure(e);
    }

    private static boolean isConnectFailure(IOException e) {
        if (e instanceof ConnectException || e instanceof NoRouteToHostException || e instanceof UnknownHostException) {
            return true;
        }
        return e instanceof SocketTimeoutException && String.valueOf(e.getMessage()).startsWith("connect timed out")
                || e.getCause() instanceof ConnectException;
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

        /** Conditional create on the resource's first identifier that has a system and a value. */
        public Builder conditionalCreate() {
            this.condition = new Outgoing.IdentifierCondition(null);
            return this;
        }

        /** Conditional create on the resource's identifier of {@code system}, e.g. the MRN system. */
        public Builder conditionalCreate(String identifierSystem) {
            Objects.requireNonNull(identifierSystem, "identifierSystem");
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
            HttpUrl url = HttpUrl.parse(base.toString());
            if (url == null || !base.isAbsolute() || base.getQuery() != null || base.getFragment() != null) {
                throw new IllegalArgumentException("FHIR Client: base URL must be an absolute http(s) URL without "
                        + "query or fragment, got '" + safe(base) + "'");
            }
            if (base.getUserInfo() != null) {
                throw new IllegalArgumentException("FHIR Client: put credentials in auth(...), not in the base URL");
            }
            // A trailing slash would give an empty path segment before the resource type.
            while (url.pathSize() > 1 && url.pathSegments().get(url.pathSize() - 1).isEmpty()) {
                url = url.newBuilder().removePathSegment(url.pathSize() - 1).build();
            }
            return new FhirClient(this, url);
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
