package dev.harmony.message;

import dev.harmony.pipeline.Rejection;
import java.util.Objects;
import java.util.Optional;

/**
 * What a pipeline answers: either an answer (status, headers, body) or a {@link Rejection}, never both.
 * The status uses HTTP's vocabulary as the neutral one (200 success, 4xx the caller's fault, 5xx ours or
 * upstream's); frontends of other protocols map it to their own codes and may read a protocol-specific
 * code from an attribute. A rejected response's status and headers are its rejection's, and each
 * frontend renders the rejection its own way: {@link #withHeader} adds to the rejection's headers, while
 * {@link #withStatus} and {@link #withBody} refuse (answer with a new response instead).
 */
public final class Response {
    private final int status;
    private final Headers headers;
    private final Attributes attributes;
    private final Body body;
    private final Rejection rejection;

    private Response(int status, Headers headers, Attributes attributes, Body body, Rejection rejection) {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status must be 100..599: " + status);
        }
        this.status = status;
        this.headers = Objects.requireNonNull(headers, "headers");
        this.attributes = Objects.requireNonNull(attributes, "attributes");
        this.body = Objects.requireNonNull(body, "body");
        this.rejection = rejection;
    }

    /** 200 with no body. */
    public static Response ok() {
        return of(200);
    }

    /** {@code status} with no body. */
    public static Response of(int status) {
        return new Response(status, Headers.empty(), Attributes.empty(), Body.empty(), null);
    }

    /** 200 with {@code body}. */
    public static Response ok(Body body) {
        return of(200).withBody(body);
    }

    /** The answer for a rejection: its status, its extra headers, and the rejection for the frontend to render. */
    public static Response rejected(Rejection rejection) {
        return rejected(rejection, Attributes.empty());
    }

    private static Response rejected(Rejection rejection, Attributes attributes) {
        return new Response(rejection.kind().status(), rejection.headers(), attributes, Body.empty(), rejection);
    }

    public int status() {
        return status;
    }

    public boolean isSuccess() {
        return status < 400 && rejection == null;
    }

    public Headers headers() {
        return headers;
    }

    public Attributes attributes() {
        return attributes;
    }

    public Body body() {
        return body;
    }

    /** The rejection this response stands for, if a stage rejected the request. */
    public Optional<Rejection> rejection() {
        return Optional.ofNullable(rejection);
    }

    public <T> Optional<T> attribute(Attribute<T> key) {
        return attributes.get(key);
    }

    /** The same answer with another status; a rejection refuses (its status is its kind's). */
    public Response withStatus(int newStatus) {
        answerOnly("withStatus(" + newStatus + ")");
        return new Response(newStatus, headers, attributes, body, null);
    }

    /** The same answer with these headers; on a rejection they become the rejection's headers. */
    public Response withHeaders(Headers newHeaders) {
        return rejection != null ? rejected(rejection.withHeaders(newHeaders), attributes)
                : new Response(status, newHeaders, attributes, body, null);
    }

    public Response withHeader(String name, String value) {
        return withHeaders(headers.with(name, value));
    }

    /** The same answer with another body; a rejection refuses (its frontend renders its body). */
    public Response withBody(Body newBody) {
        answerOnly("withBody");
        return new Response(status, headers, attributes, newBody, null);
    }

    private void answerOnly(String call) {
        if (rejection != null) {
            throw new IllegalStateException(call + " on a rejected response (" + rejection.kind()
                    + "): a rejection's status and body come from the Rejection; to answer instead, return a new"
                    + " Response such as Response.of(status).withBody(body)");
        }
    }

    public <T> Response with(Attribute<T> key, T value) {
        return new Response(status, headers, attributes.with(key, value), body, rejection);
    }

    @Override
    public String toString() {
        return rejection != null ? "Response[" + status + ", " + rejection + "]" : "Response[" + status + "]";
    }
}
