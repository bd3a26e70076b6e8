package dev.harmony.http.internal.client;

import java.nio.charset.StandardCharsets;

/**
 * The header names upstreams send on nearly every answer, as shared constants: a name parsed from the
 * wire that matches one exactly costs no new String, and its hash is already computed for every map
 * it is looked up in later (Undertow's header table among them).
 */
final class KnownHeaderNames {
    private static final String[] NAMES = {"Server", "Date", "Content-Type", "Content-Length", "Connection",
        "Keep-Alive", "ETag", "Last-Modified", "Cache-Control", "Location", "Content-Location", "Vary",
        "Transfer-Encoding", "Content-Encoding", "Expires", "Accept-Ranges", "X-Powered-By", "X-Request-Id"};
    private static final byte[][] BYTES = new byte[NAMES.length][];

    static {
        for (int i = 0; i < NAMES.length; i++) {
            BYTES[i] = NAMES[i].getBytes(StandardCharsets.US_ASCII);
        }
    }

    private KnownHeaderNames() {
    }

    /** The name in {@code b[from..from+length)}: a shared constant if it is a known one spelled the same. */
    static String name(byte[] b, int from, int length) {
        for (int i = 0; i < BYTES.length; i++) {
            if (BYTES[i].length == length && matches(b, from, BYTES[i])) {
                return NAMES[i];
            }
        }
        return new String(b, from, length, StandardCharsets.ISO_8859_1);
    }

    private static boolean matches(byte[] b, int from, byte[] known) {
        for (int i = 0; i < known.length; i++) {
            if (b[from + i] != known[i]) {
                return false;
            }
        }
        return true;
    }
}
