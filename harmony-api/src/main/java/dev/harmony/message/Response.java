package dev.harmony.message;

import dev.harmony.pipeline.Rejection;
import java.util.Objects;
import java.util.Optional;

/**
 * What a pipeline answers. The status uses HTTP's vocabulary as the neutral one (200 success, 4xx the
 * caller's fault, 5xx ours or upstream's); frontends of other protocols map it to their own codes and
 * may read a protocol-specific code from an attribute. A response built from a {@link Rejection}
 * carries it, so each frontend can render the rejection its own way.
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
        return new Response(rejection.kind().status(), rejection.headers(), Attributes.empty(), Body.empty(),
                rejection);
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

    public Response withStatus(int newStatus) {
        return new Response(newStatus, headers, attributes, body, rejection);
    }

    public Response withHeaders(Headers newHeaders) {
        return new Response(status, newHeaders, attributes, body, rejection);
    }

    public Response withHeader(String name, String value) {
        return withHeaders(headers.with(name, value));
    }

    public Response withBody(Body newBody) {
        return new Response(status, headers, attributes, newBody, rejection);
    }

    public <T> Response with(Attribute<T> key, T value) {
        return new Response(status, headers, attributes.with(key, value), body, rejection);
    }

    @Override
    public String toString() {
        return rejection != null ? "Response[" + status + ", " + rejection + "]" : "Response[" + status + "]";
    }
}
