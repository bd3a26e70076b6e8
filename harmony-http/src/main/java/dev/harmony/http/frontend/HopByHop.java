package dev.harmony.http.frontend;

import java.util.Locale;
import java.util.Set;

/** Connection-level headers (RFC 9110 §7.6.1) that the ingress manages itself and never copies. */
final class HopByHop {
    private static final Set<String> NAMES = Set.of("connection", "keep-alive", "proxy-connection", "te", "trailer",
            "transfer-encoding", "upgrade", "content-length");

    private HopByHop() {
    }

    static boolean is(String name) {
        return NAMES.contains(name.toLowerCase(Locale.ROOT));
    }
}
