package dev.harmony.http.frontend;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Connection-level headers (RFC 9110 §7.6.1) that the ingress manages itself and never copies. */
final class HopByHop {
    private static final List<String> NAMES = List.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
            "transfer-encoding", "upgrade", "content-length");

    private HopByHop() {
    }

    /** The extra hop-by-hop headers a {@code Connection} header names (lower case). */
    static Set<String> namedIn(Iterable<String> connectionHeaders) {
        if (connectionHeaders == null) {
            return Set.of();
        }
        Set<String> names = new HashSet<>();
        for (String value : connectionHeaders) {
            for (String token : value.split(",")) {
                names.add(token.strip().toLowerCase(Locale.ROOT));
            }
        }
        return names;
    }

    static boolean is(String name) {
        for (String n : NAMES) { // no lower-casing per header: most names differ in length already
            if (n.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }
}
