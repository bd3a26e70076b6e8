package dev.harmony.http.middleware;

import dev.harmony.http.HttpAttributes;
import dev.harmony.message.Attribute;
import dev.harmony.message.Request;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * What a rate limit counts per: the caller's address, JWT subject, OAuth2 client or an API key header.
 * Returns null when the request has no such key; then {@link #orElse} decides (the built-in keys fall
 * back to the remote address, so nobody escapes the limit by omitting a header).
 */
@FunctionalInterface
public interface RateLimitKey {

    /** The key for {@code request}, or null if it has none. */
    String keyOf(Request request);

    /** This key, or {@code fallback}'s when this one is absent. */
    default RateLimitKey orElse(RateLimitKey fallback) {
        Objects.requireNonNull(fallback, "fallback");
        return request -> {
            String k = keyOf(request);
            return k != null ? k : fallback.keyOf(request);
        };
    }

    /** The client address (after trusted-proxy resolution). The default. */
    static RateLimitKey remoteAddress() {
        return request -> request.attribute(Attribute.REMOTE_ADDRESS)
                .map(InetSocketAddress::getAddress)
                .map(a -> "ip:" + a.getHostAddress())
                .orElse("ip:unknown");
    }

    /** The verified JWT subject (put there by {@link JwtAuth}), else the remote address. */
    static RateLimitKey jwtSubject() {
        RateLimitKey subject = request -> request.attribute(HttpAttributes.JWT_SUBJECT).map(s -> "sub:" + s).orElse(null);
        return subject.orElse(remoteAddress());
    }

    /** The OAuth2 client id of the verified JWT, else the remote address. */
    static RateLimitKey clientId() {
        RateLimitKey client = request -> request.attribute(HttpAttributes.CLIENT_ID).map(s -> "client:" + s).orElse(null);
        return client.orElse(remoteAddress());
    }

    /** The value of an API key header such as {@code X-API-Key}, else the remote address. */
    static RateLimitKey header(String name) {
        Objects.requireNonNull(name, "header name");
        RateLimitKey header = request -> request.headers().first(name).map(v -> "key:" + v).orElse(null);
        return header.orElse(remoteAddress());
    }
}
