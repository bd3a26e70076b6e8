package dev.harmony.http.backend;

import dev.harmony.message.Headers;
import java.util.Arrays;
import java.util.Objects;

/**
 * A body-less request's head as it goes on the wire, checked and encoded in one pass over its
 * characters (a proxied request carries a long bearer token; scanning it twice showed in profiles).
 * Refuses what would split the request: a method that is not a token, a target that is not an
 * encoded {@code /path?query}, control characters in header names or values. Characters beyond
 * ISO-8859-1 become {@code ?}.
 */
final class EventLoopRequestHead {
    private static final String SEPARATORS = "()<>@,;:\\\"/[]?={}";

    private byte[] bytes = new byte[512];
    private int size;

    private EventLoopRequestHead() {
    }

    /** The head: request line, {@code Host}, the headers (minus Host and body framing), blank line. */
    static byte[] encode(String method, String target, String host, Headers headers) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(headers, "headers");
        EventLoopRequestHead h = new EventLoopRequestHead();
        if (method.isEmpty() || !h.token(method)) {
            throw new IllegalArgumentException("EventLoopClient: invalid method '" + method + "'");
        }
        h.ascii(" ");
        if (!target.startsWith("/") || !h.text(target, true)) {
            throw new IllegalArgumentException("EventLoopClient: target must be an encoded /path?query, got '"
                    + target + "'");
        }
        h.ascii(" HTTP/1.1\r\nHost: ");
        h.text(host, false);
        h.ascii("\r\n");
        headers.forEach((name, values) -> {
            // Host is ours; and the body-less framing too: a stray length would make the upstream wait
            if (name.equalsIgnoreCase("host") || name.equalsIgnoreCase("content-length")
                    || name.equalsIgnoreCase("transfer-encoding")) {
                return;
            }
            for (String value : values) {
                if (!h.text(name, true) || name.indexOf(':') >= 0) {
                    throw new IllegalArgumentException("EventLoopClient: control character in header " + name);
                }
                h.ascii(": ");
                if (!h.text(value, false)) {
                    throw new IllegalArgumentException("EventLoopClient: control character in header " + name);
                }
                h.ascii("\r\n");
            }
        });
        h.ascii("\r\n");
        return Arrays.copyOf(h.bytes, h.size);
    }

    private boolean token(String s) {
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c >= 0x7f || SEPARATORS.indexOf(c) >= 0) {
                return false;
            }
            bytes[size++] = (byte) c;
        }
        return true;
    }

    /** Appends {@code s}; false at a control character (or a space, if {@code noSpace}). */
    private boolean text(String s, boolean noSpace) {
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < ' ' && c != '\t') || c == 0x7f || (noSpace && (c == ' ' || c == '\t'))) {
                return false;
            }
            bytes[size++] = c > 0xff ? (byte) '?' : (byte) c;
        }
        return true;
    }

    /** Appends our own framing (spaces, CRLF), unchecked. */
    private void ascii(String s) {
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) {
            bytes[size++] = (byte) s.charAt(i);
        }
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
