package dev.harmony.message;

import java.util.Objects;

/**
 * What a frontend received, in protocol-neutral form. Immutable: stages change a request by building
 * a modified copy ({@code request.withHeader(...)}, {@code request.with(attr, value)}) and passing it on.
 *
 * <p>{@code operation} is the protocol's verb (HTTP method, DIMSE command such as {@code C-STORE}, or
 * {@code A-ASSOCIATE} for a DICOM association request). {@code path} is the target below the
 * frontend's own prefix, and {@code query} the raw query string without {@code ?} (empty if none).
 */
public final class Request {
    private final Protocol protocol;
    private final String operation;
    private final String path;
    private final String query;
    private final Headers headers;
    private final Attributes attributes;
    private final Body body;

    private Request(Protocol protocol, String operation, String path, String query, Headers headers,
            Attributes attributes, Body body) {
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.operation = Objects.requireNonNull(operation, "operation");
        this.path = Objects.requireNonNull(path, "path");
        this.query = Objects.requireNonNull(query, "query");
        this.headers = Objects.requireNonNull(headers, "headers");
        this.attributes = Objects.requireNonNull(attributes, "attributes");
        this.body = Objects.requireNonNull(body, "body");
    }

    /** Starts a request of {@code protocol} with operation {@code operation}. */
    public static Builder builder(Protocol protocol, String operation) {
        return new Builder(protocol, operation);
    }

    public Protocol protocol() {
        return protocol;
    }

    public String operation() {
        return operation;
    }

    public String path() {
        return path;
    }

    public String query() {
        return query;
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

    /** Shortcut for {@code attributes().get(key)}. */
    public <T> java.util.Optional<T> attribute(Attribute<T> key) {
        return attributes.get(key);
    }

    public <T> Request with(Attribute<T> key, T value) {
        return new Request(protocol, operation, path, query, headers, attributes.with(key, value), body);
    }

    public Request withHeader(String name, String value) {
        return toBuilder().headers(headers.with(name, value)).build();
    }

    public Request withBody(Body newBody) {
        return toBuilder().body(newBody).build();
    }

    public Builder toBuilder() {
        return new Builder(protocol, operation).path(path).query(query).headers(headers).attributes(attributes)
                .body(body);
    }

    @Override
    public String toString() {
        return protocol + " " + operation + " " + path + (query.isEmpty() ? "" : "?" + query);
    }

    /** Builds a {@link Request}; only protocol and operation are required. */
    public static final class Builder {
        private final Protocol protocol;
        private final String operation;
        private String path = "";
        private String query = "";
        private Headers headers = Headers.empty();
        private Attributes attributes = Attributes.empty();
        private Body body = Body.empty();

        private Builder(Protocol protocol, String operation) {
            this.protocol = protocol;
            this.operation = operation;
        }

        public Builder path(String value) {
            this.path = value;
            return this;
        }

        public Builder query(String value) {
            this.query = value;
            return this;
        }

        public Builder headers(Headers value) {
            this.headers = value;
            return this;
        }

        public Builder header(String name, String value) {
            this.headers = headers.toBuilder().add(name, value).build();
            return this;
        }

        public Builder attributes(Attributes value) {
            this.attributes = value;
            return this;
        }

        public <T> Builder attribute(Attribute<T> key, T value) {
            this.attributes = attributes.with(key, value);
            return this;
        }

        public Builder body(Body value) {
            this.body = value;
            return this;
        }

        public Request build() {
            return new Request(protocol, operation, path, query, headers, attributes, body);
        }
    }
}
