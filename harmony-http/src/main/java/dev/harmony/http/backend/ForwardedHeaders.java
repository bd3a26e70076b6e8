package dev.harmony.http.backend;

import dev.harmony.http.HttpAttributes;
import dev.harmony.http.internal.HopByHop;
import dev.harmony.message.Attribute;
import dev.harmony.message.Request;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The header rules of a forwarding proxy, the one place that decides what crosses: hop-by-hop headers
 * ({@link HopByHop}, the rule the ingress uses too) are dropped both ways; on the way up
 * {@code Host} becomes the upstream's, the body's framing is the client's own (Content-Length or
 * chunked, set by the client's request head), {@code Expect} is answered by the ingress (this hop)
 * and not passed on, and the
 * {@code X-Forwarded-For/Proto/Host/Prefix} headers tell the upstream who really asked and where (so a
 * FHIR server can put the proxy's address into Location headers and Bundle links).
 */
final class ForwardedHeaders {
    private ForwardedHeaders() {
    }

    /** Passes each header to send upstream for {@code request} to {@code add}. */
    static void upstream(Request request, BiConsumer<String, String> add) {
        Set<String> named = HopByHop.namedIn(request.headers().all("Connection"));
        request.headers().forEach((name, values) -> {
            if (!HopByHop.is(name, named) && !name.equalsIgnoreCase("host") && !name.equalsIgnoreCase("content-length")
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

    private static String address(InetSocketAddress a) {
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return host.contains(":") ? "[" + host + "]" : host;
    }
}
