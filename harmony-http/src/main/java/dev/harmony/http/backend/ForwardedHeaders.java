package dev.harmony.http.backend;

import dev.harmony.http.HttpAttributes;
import dev.harmony.message.Attribute;
import dev.harmony.message.Request;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The header rules of a forwarding proxy, the one place that decides what crosses: hop-by-hop headers
 * (RFC 9110 §7.6.1, plus any named in {@code Connection}) are dropped both ways; on the way up
 * {@code Host} becomes the upstream's, the body's framing is the client's own (Content-Length or
 * chunked, set by {@link EventLoopRequestHead}), {@code Expect} is answered by the ingress (this hop)
 * and not passed on, and the
 * {@code X-Forwarded-For/Proto/Host/Prefix} headers tell the upstream who really asked and where (so a
 * FHIR server can put the proxy's address into Location headers and Bundle links).
 */
final class ForwardedHeaders {
    private static final List<String> HOP_BY_HOP = List.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "trailers", "transfer-encoding", "upgrade");

    private ForwardedHeaders() {
    }

    /** Passes each header to send upstream for {@code request} to {@code add}. */
    static void upstream(Request request, BiConsumer<String, String> add) {
        Set<String> named = namedIn(request.headers().all("Connection"));
        request.headers().forEach((name, values) -> {
            if (!isHopByHop(name, named) && !name.equalsIgnoreCase("host") && !name.equalsIgnoreCase("content-length")
                    && !name.equalsIgnoreCase("expect") && !name.regionMatches(true, 0, "x-forwarded-", 0, 12)) {
                for (String v : values) {
                    add.accept(name, v);
                }
            }
        });
        List<String> earlier = request.headers().all("X-Forwarded-For");
        String forwardedFor = earlier.isEmpty() ? "" : String.join(", ", earlier);
        String peer = request.attribute(HttpAttributes.PEER_ADDRESS)
                .or(() -> request.attribute(Attribute.REMOTE_ADDRESS))
                .map(ForwardedHeaders::address).orElse(null);
        if (peer != null) {
            forwardedFor = forwardedFor.isEmpty() ? peer : forwardedFor + ", " + peer;
        }
        if (!forwardedFor.isEmpty()) {
            add.accept("X-Forwarded-For", forwardedFor);
        }
        add.accept("X-Forwarded-Proto", request.headers().first("X-Forwarded-Proto")
                .or(() -> request.attribute(HttpAttributes.SCHEME)).orElse("http"));
        request.headers().first("X-Forwarded-Host").or(() -> request.attribute(HttpAttributes.HOST))
                .ifPresent(host -> add.accept("X-Forwarded-Host", host));
        request.headers().first("X-Forwarded-Prefix")
                .or(() -> request.attribute(HttpAttributes.PATH_PREFIX).filter(p -> !p.isEmpty()))
                .ifPresent(prefix -> add.accept("X-Forwarded-Prefix", prefix));
    }

    /** Hop-by-hop (RFC 9110 7.6.1) or named in {@code Connection} ({@code named}, lower case; see {@link #namedIn}). */
    static boolean isHopByHop(String name, Set<String> named) {
        for (String h : HOP_BY_HOP) { // no lower-casing per header: most names differ in length already
            if (h.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return !named.isEmpty() && named.contains(name.toLowerCase(Locale.ROOT));
    }

    /** The extra hop-by-hop headers a {@code Connection} header names (lower case); usually none. */
    static Set<String> namedIn(List<String> connectionHeaders) {
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
