package dev.harmony.pipeline;

import dev.harmony.message.Headers;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A protocol-neutral "no": why a stage refused or could not complete an exchange. Frontends map it to
 * their own wire answer (HTTP status and body, OperationOutcome, A-ASSOCIATE-RJ, DIMSE status...).
 *
 * <p>Beyond its {@link Kind}, a rejection may carry a machine-readable {@code reason} (e.g. RFC 6750's
 * {@code invalid_token}, or a DICOM reject reason), per-item {@link Issue details} with locations,
 * a retry-after hint, and extra headers for protocols that have them.
 */
public final class Rejection {

    /** What went wrong, with the HTTP status used as the neutral vocabulary. */
    public enum Kind {
        /** Input cannot be parsed at all. */
        MALFORMED(400),
        /** No or bad credentials. */
        UNAUTHENTICATED(401),
        /** Credentials fine, permission missing. */
        FORBIDDEN(403),
        /** Nothing there to act on. */
        NOT_FOUND(404),
        /** Conflicts with what exists, e.g. a duplicate instance that policy refuses. */
        CONFLICT(409),
        /** Too big for the configured limit. */
        PAYLOAD_TOO_LARGE(413),
        /** A format, media type or operation this pipeline does not handle. */
        UNSUPPORTED(415),
        /** Well-formed but fails validation. */
        INVALID(422),
        /** Over a rate limit; see {@link #retryAfter()}. */
        TOO_MANY_REQUESTS(429),
        /** An unexpected failure in a stage. */
        INTERNAL(500),
        /** The upstream refused the connection, could not be reached, or answered garbage. */
        UPSTREAM_UNAVAILABLE(502),
        /** This pipeline is temporarily out of resources or shutting down. */
        UNAVAILABLE(503),
        /** The upstream did not answer in time. */
        UPSTREAM_TIMEOUT(504);

        private final int status;

        Kind(int status) {
            this.status = status;
        }

        /** The HTTP status for this kind. */
        public int status() {
            return status;
        }
    }

    /**
     * One specific problem.
     *
     * @param location where, e.g. a JSON pointer or FHIRPath ({@code /name/0/family}); may be empty
     * @param message what is wrong there
     */
    public record Issue(String location, String message) {
        public Issue {
            Objects.requireNonNull(location, "location");
            Objects.requireNonNull(message, "message");
        }
    }

    private final Kind kind;
    private final String message;
    private final String reason;
    private final List<Issue> details;
    private final Duration retryAfter;
    private final Headers headers;
    /** The rejection this one was derived from by the with-methods (itself if new): who said "no" first. */
    private final Rejection origin;

    private Rejection(Kind kind, String message, String reason, List<Issue> details, Duration retryAfter,
            Headers headers, Rejection origin) {
        this.origin = origin == null ? this : origin;
        this.kind = Objects.requireNonNull(kind, "kind");
        this.message = Objects.requireNonNull(message, "message");
        this.reason = reason;
        this.details = List.copyOf(details);
        this.retryAfter = retryAfter;
        this.headers = Objects.requireNonNull(headers, "headers");
    }

    /** A rejection of {@code kind} with a human-readable message. */
    public static Rejection of(Kind kind, String message) {
        return new Rejection(kind, message, null, List.of(), null, Headers.empty(), null);
    }

    public static Rejection malformed(String message) {
        return of(Kind.MALFORMED, message);
    }

    public static Rejection unauthenticated(String message) {
        return of(Kind.UNAUTHENTICATED, message);
    }

    public static Rejection forbidden(String message) {
        return of(Kind.FORBIDDEN, message);
    }

    public static Rejection invalid(String message, List<Issue> details) {
        return of(Kind.INVALID, message).withDetails(details);
    }

    public static Rejection payloadTooLarge(String message) {
        return of(Kind.PAYLOAD_TOO_LARGE, message);
    }

    public static Rejection unsupported(String message) {
        return of(Kind.UNSUPPORTED, message);
    }

    public static Rejection tooManyRequests(String message, Duration retryAfter) {
        return of(Kind.TOO_MANY_REQUESTS, message).withRetryAfter(retryAfter);
    }

    public static Rejection upstreamUnavailable(String message) {
        return of(Kind.UPSTREAM_UNAVAILABLE, message);
    }

    public static Rejection upstreamTimeout(String message) {
        return of(Kind.UPSTREAM_TIMEOUT, message);
    }

    public static Rejection unavailable(String message) {
        return of(Kind.UNAVAILABLE, message);
    }

    public static Rejection internal(String message) {
        return of(Kind.INTERNAL, message);
    }

    public Kind kind() {
        return kind;
    }

    public String message() {
        return message;
    }

    /** A short machine-readable code for the frontend, e.g. {@code invalid_token}. */
    public Optional<String> reason() {
        return Optional.ofNullable(reason);
    }

    public List<Issue> details() {
        return details;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** Extra headers the answer should carry (e.g. {@code WWW-Authenticate}, rate-limit headers). */
    public Headers headers() {
        return headers;
    }

    public Rejection withReason(String newReason) {
        return new Rejection(kind, message, newReason, details, retryAfter, headers, origin);
    }

    public Rejection withDetails(List<Issue> newDetails) {
        return new Rejection(kind, message, reason, newDetails, retryAfter, headers, origin);
    }

    public Rejection withRetryAfter(Duration newRetryAfter) {
        return new Rejection(kind, message, reason, details, newRetryAfter, headers, origin);
    }

    public Rejection withHeader(String name, String value) {
        return new Rejection(kind, message, reason, details, retryAfter, headers.with(name, value), origin);
    }

    public Rejection withHeaders(Headers newHeaders) {
        return new Rejection(kind, message, reason, details, retryAfter, newHeaders, origin);
    }

    /** Whether {@code other} is this rejection or derived from the same one (headers added on the way back, say). */
    boolean sameOrigin(Rejection other) {
        return other != null && other.origin == origin;
    }

    /** An unchecked exception carrying this rejection, for code paths that cannot return a response. */
    public RejectionException toException() {
        return new RejectionException(this);
    }

    @Override
    public String toString() {
        return kind + (reason == null ? "" : "(" + reason + ")") + ": " + message;
    }
}
