package dev.harmony.http.internal.client;

import dev.harmony.message.Headers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A request's head as it goes on the wire, checked and encoded in one pass
 * (a proxied request carries a long bearer token: every extra copy or scan of it showed in profiles).
 * Refuses what would split the request: a method that is not a token, a target that is not an
 * encoded {@code /path?query}, control characters in header names or values. Characters beyond
 * ISO-8859-1 become {@code ?}.
 */
final class EventLoopRequestHead {
    private static final String SEPARATORS = "()<>@,;:\\\"/[]?={}";
    private static final byte[] VERSION_AND_HOST = " HTTP/1.1\r\nHost: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /** {@code length} for a request without a body: no framing header. */
    static final long NO_BODY = -2;
    /** {@code length} for a body of unknown length: sent chunked. */
    static final long CHUNKED = -1;

    private byte[] bytes = new byte[1024];
    private int size;

    private EventLoopRequestHead() {
    }

    /** The head with {@code headers}; see {@link #encode(String, String, String, Consumer, long)}. */
    static EventLoopRequestHead encode(String method, String target, String host, Headers headers) {
        return encode(method, target, host, each(headers), NO_BODY);
    }

    /** {@code headers} as a header source: each value passed to the sink with its name (null fails on use). */
    static Consumer<BiConsumer<String, String>> each(Headers headers) {
        return sink -> Objects.requireNonNull(headers, "headers").forEach((name, values) -> {
            for (String value : values) {
                sink.accept(name, value);
            }
        });
    }

    /**
     * The head: request line, {@code Host}, then each header {@code headers} passes to its sink (minus
     * Host and body framing), our framing for {@code length} (a Content-Length, {@link #CHUNKED} or
     * {@link #NO_BODY}), blank line. Headers come from a callback so a proxy can write the request's
     * own headers without first copying them into a new {@link Headers}.
     *
     * @throws IllegalArgumentException naming what would split the request
     */
    static EventLoopRequestHead encode(String method, String target, String host,
            Consumer<BiConsumer<String, String>> headers, long length) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(target, "target");
        EventLoopRequestHead h = new EventLoopRequestHead();
        if (method.isEmpty() || !h.token(method)) {
            throw new IllegalArgumentException("EventLoopClient: invalid method '" + method + "'");
        }
        if (!target.startsWith("/") || !h.text(" ", target, true)) {
            throw new IllegalArgumentException("EventLoopClient: target must be an encoded /path?query, got '"
                    + target + "'");
        }
        h.append(VERSION_AND_HOST);
        h.text("", host, false);
        headers.accept(h::header);
        if (length == CHUNKED) {
            h.text("\r\n", "Transfer-Encoding: chunked", false);
        } else if (length >= 0) {
            h.text("\r\n", "Content-Length: " + length, false);
        }
        h.append(END);
        return h;
    }

    /** The encoded head, ready to write (a new buffer each call: a resend starts from the beginning). */
    ByteBuffer buffer() {
        return ByteBuffer.wrap(bytes, 0, size);
    }

    private void header(String name, String value) {
        // Host is ours, and so is the body's framing: a stray length would make the upstream misread the body
        if (name.equalsIgnoreCase("host") || name.equalsIgnoreCase("content-length")
                || name.equalsIgnoreCase("transfer-encoding")) {
            return;
        }
        if (!text("\r\n", name, true) || name.indexOf(':') >= 0) {
            throw new IllegalArgumentException("EventLoopClient: control character in header " + name);
        }
        if (!text(": ", value, false)) {
            throw new IllegalArgumentException("EventLoopClient: control character in header " + name);
        }
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

    /**
     * Appends our own {@code prefix} (unchecked), then {@code s}; false at a control character in
     * {@code s} (or a space, if {@code noSpace}). {@code getBytes} copies a Latin-1 string as a block;
     * the check then runs over plain bytes.
     */
    private boolean text(String prefix, String s, boolean noSpace) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        ensure(prefix.length() + b.length);
        for (int i = 0; i < prefix.length(); i++) {
            bytes[size++] = (byte) prefix.charAt(i);
        }
        for (byte c : b) {
            if ((c < ' ' && c >= 0 && c != '\t') || c == 0x7f || (noSpace && (c == ' ' || c == '\t'))) {
                return false;
            }
        }
        System.arraycopy(b, 0, bytes, size, b.length);
        size += b.length;
        return true;
    }

    private void append(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, bytes, size, b.length);
        size += b.length;
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
