package dev.harmony.http.backend;

import dev.harmony.http.HttpAttributes;
import dev.harmony.message.Attribute;
import dev.harmony.message.Request;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import okhttp3.Headers;

/**
 * The header rules of a forwarding proxy: hop-by-hop headers (RFC 9110 §7.6.1, plus any named in
 * {@code Connection}) are dropped both ways, {@code Host} becomes the upstream's, and the
 * {@code X-Forwarded-For/Proto/Host/Prefix} headers tell the upstream who really asked and where (so a
 * FHIR server can put the proxy's address into Location headers and Bundle links).
 */
final class ForwardedHeaders {
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "trailers", "transfer-encoding", "upgrade");

    private ForwardedHeaders() {
    }

    /** The headers to send upstream for {@code request}. */
    static Headers upstream(Request request) {
        Set<String> named = namedIn(request.headers().all("Connection"));
        Headers.Builder b = new Headers.Builder();
        for (Map.Entry<String, List<String>> h : request.headers().asMap().entrySet()) {
            String lower = h.getKey().toLowerCase(Locale.ROOT);
            if (HOP_BY_HOP.contains(lower) || named.contains(lower) || lower.equals("host")
                    || lower.equals("content-length") || lower.startsWith("x-forwarded-")) {
                continue;
            }
            for (String v : h.getValue()) {
                b.addUnsafeNonAscii(h.getKey(), v);
            }
        }
        if (!request.headers().contains("Accept-Encoding")) {
            // Otherwise OkHttp asks for gzip and inflates it, changing the body the client gets.
            b.add("Accept-Encoding", "identity");
        }
        String forwardedFor = String.join(", ", request.headers().all("X-Forwarded-For"));
        String peer = request.attribute(HttpAttributes.PEER_ADDRESS)
                .or(() -> request.attribute(Attribute.REMOTE_ADDRESS))
                .map(ForwardedHeaders::address).orElse(null);
        if (peer != null) {
            forwardedFor = forwardedFor.isEmpty() ? peer : forwardedFor + ", " + peer;
        }
        if (!forwardedFor.isEmpty()) {
            b.set("X-Forwarded-For", forwardedFor);
        }
        b.set("X-Forwarded-Proto", request.headers().first("X-Forwarded-Proto")
                .or(() -> request.attribute(HttpAttributes.SCHEME)).orElse("http"));
        request.headers().first("X-Forwarded-Host").or(() -> request.attribute(HttpAttributes.HOST))
                .ifPresent(host -> b.set("X-Forwarded-Host", host));
        request.headers().first("X-Forwarded-Prefix")
                .or(() -> request.attribute(HttpAttributes.PATH_PREFIX).filter(p -> !p.isEmpty()))
                .ifPresent(prefix -> b.set("X-Forwarded-Prefix", prefix));
        return b.build();
    }

    /** The upstream's response headers to pass back: everything but hop-by-hop ones. */
    static dev.harmony.message.Headers downstream(Headers upstream) {
        Set<String> named = namedIn(upstream.values("Connection"));
        dev.harmony.message.Headers.Builder b = dev.harmony.message.Headers.builder();
        for (int i = 0; i < upstream.size(); i++) {
            String name = upstream.name(i);
            String lower = name.toLowerCase(Locale.ROOT);
            if (!HOP_BY_HOP.contains(lower) && !named.contains(lower)) {
                b.add(name, upstream.value(i));
            }
        }
        return b.build();
    }

    /** The extra hop-by-hop headers a {@code Connection} header names (lower case); usually none. */
    private static Set<String> namedIn(List<String> connectionHeaders) {
        if (connectionHeaders.isEmpty()) {
            return Set.of(); // the common case: no set built per request
        }
        Set<String> named = new HashSet<>();
        for (String c : connectionHeaders) {
            for (String token : c.split(",")) {
                named.add(token.strip().toLowerCase(Locale.ROOT));
            }
        }
        return named;
    }

    private static String address(InetSocketAddress a) {
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return host.contains(":") ? "[" + host + "]" : host;
    }
}
