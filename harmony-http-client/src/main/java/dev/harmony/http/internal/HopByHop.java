package dev.harmony.http.internal;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The one hop-by-hop rule of harmony-http (RFC 9110 §7.6.1): connection-level headers, and any a
 * {@code Connection} header names, belong to one hop and are never copied to the next, whether the
 * ingress takes a request in, a forward sends it up, or an answer comes back down. Message framing
 * ({@code Content-Length}) is not hop-by-hop; each writer sets its own.
 */
public final class HopByHop {
    private static final List<String> NAMES = List.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "trailers", "transfer-encoding", "upgrade");

    private HopByHop() {
    }

    /** The extra hop-by-hop headers {@code Connection} headers name (lower case); usually none. */
    public static Set<String> namedIn(Iterable<String> connectionHeaders) {
        if (connectionHeaders == null || !connectionHeaders.iterator().hasNext()) {
            return Set.of(); // the common case: no set built per request
        }
        Set<String> named = new HashSet<>();
        for (String value : connectionHeaders) {
            for (String token : value.split(",")) {
                named.add(token.strip().toLowerCase(Locale.ROOT));
            }
        }
        return named;
    }

    /** Whether {@code name} is hop-by-hop, or named in {@code Connection} ({@code named}, see {@link #namedIn}). */
    public static boolean is(String name, Set<String> named) {
        for (String n : NAMES) { // no lower-casing per header: most names differ in length already
            if (n.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return !named.isEmpty() && named.contains(name.toLowerCase(Locale.ROOT));
    }
}
