package dev.harmony.http.internal.client;

import dev.harmony.http.internal.HopByHop;
import dev.harmony.message.Headers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * An HTTP/1.x response head parsed from bytes (RFC 9112): status, end-to-end headers in their order,
 * and how the body is framed. Strict where leniency would let the upstream smuggle a second response.
 *
 * @param length Content-Length, {@link #CHUNKED}, {@link #UNTIL_CLOSE} or {@link EventLoopExchange#UNDELIMITED}
 * @param keepAlive the upstream keeps the connection open after this answer (as far as the head says)
 * @param size bytes the head took, final CRLF included
 */
record EventLoopResponseHead(int status, Headers headers, String contentType, long length, boolean keepAlive,
        int size) {
    private static final byte[] HTTP_1 = "HTTP/1.".getBytes(StandardCharsets.US_ASCII);
    /** A head bigger than this is refused rather than buffered without end. */
    static final int MAX = 64 * 1024;
    static final long CHUNKED = -1;
    /** A body that ends when the upstream closes the connection (HTTP/1.0). */
    static final long UNTIL_CLOSE = -2;

    /** Where the head in {@code b[0..end)} ends (just after its blank line), or -1 if it has not all arrived. */
    static int end(byte[] b, int from, int end) {
        for (int i = Math.max(3, from); i < end; i++) {
            if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    /** Parses a complete head {@code b[0..size)} as found by {@link #end}. */
    static EventLoopResponseHead parse(byte[] b, int size) throws IOException {
        int eol = lineEnd(b, 0);
        if (eol < 12 || !startsWith(b, HTTP_1) || (b[7] != '0' && b[7] != '1') || b[8] != ' '
                || !digits(b, 9, 12) || (eol > 12 && b[12] != ' ')) {
            throw new IOException("upstream sent a malformed status line: '"
                    + printable(new String(b, 0, eol, StandardCharsets.ISO_8859_1)) + "'");
        }
        boolean http10 = b[7] == '0';
        int status = (b[9] - '0') * 100 + (b[10] - '0') * 10 + (b[11] - '0');
        List<String> names = new ArrayList<>(8);
        List<String> values = new ArrayList<>(8);
        for (int start = eol + 2; start < size - 2; start = eol + 2) {
            eol = lineEnd(b, start);
            if (b[start] == ' ' || b[start] == '\t') { // obs-fold: RFC 9112 5.2 lets a client refuse it
                throw new IOException("upstream sent a folded header line");
            }
            int colon = start;
            while (colon < eol && b[colon] != ':' && b[colon] > ' ' && b[colon] < 0x7f) {
                colon++;
            }
            if (colon == start || colon == eol || b[colon] != ':') {
                throw new IOException("upstream sent a malformed header line: '"
                        + printable(new String(b, start, eol - start, StandardCharsets.ISO_8859_1)) + "'");
            }
            int from = colon + 1;
            int to = eol;
            while (from < to && (b[from] == ' ' || b[from] == '\t')) {
                from++;
            }
            while (to > from && (b[to - 1] == ' ' || b[to - 1] == '\t')) {
                to--;
            }
            names.add(KnownHeaderNames.name(b, start, colon - start));
            values.add(new String(b, from, to - from, StandardCharsets.ISO_8859_1));
        }
        return framed(status, http10, names, values, size);
    }

    private static EventLoopResponseHead framed(int status, boolean http10, List<String> names, List<String> values,
            int size) throws IOException {
        long length = http10 ? UNTIL_CLOSE : EventLoopExchange.UNDELIMITED;
        boolean sawLength = false;
        String encoding = null;
        String contentType = null;
        List<String> connection = List.of();
        boolean close = http10;
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            String value = values.get(i);
            if (name.equalsIgnoreCase("content-length")) {
                if (sawLength || value.isEmpty() || !digits(value, 0, value.length()) || value.length() > 18) {
                    throw new IOException("upstream sent an invalid or repeated Content-Length: '"
                            + printable(value) + "'");
                }
                sawLength = true;
                length = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("transfer-encoding")) {
                encoding = encoding == null ? value : encoding + "," + value;
            } else if (name.equalsIgnoreCase("content-type") && contentType == null) {
                contentType = value;
            } else if (name.equalsIgnoreCase("connection")) {
                if (value.equalsIgnoreCase("keep-alive") || value.equalsIgnoreCase("close")) {
                    close = value.equalsIgnoreCase("close"); // the usual value: no token to split out
                    continue;
                }
                connection = connection.isEmpty() ? new ArrayList<>() : connection;
                connection.add(value);
                for (String token : value.split(",")) {
                    String t = token.strip();
                    close = t.equalsIgnoreCase("close") || (close && !t.equalsIgnoreCase("keep-alive"));
                }
            }
        }
        if (encoding != null) { // RFC 9112 6.3: it overrides Content-Length; only a final "chunked" delimits
            String last = encoding.substring(encoding.lastIndexOf(',') + 1).strip();
            length = last.equalsIgnoreCase("chunked") ? CHUNKED : http10 ? UNTIL_CLOSE : EventLoopExchange.UNDELIMITED;
            close |= sawLength; // both: a smuggling attempt or a broken server; don't trust the rest
        }
        Set<String> named = HopByHop.namedIn(connection);
        Headers.Builder kept = Headers.builder();
        for (int i = 0; i < names.size(); i++) {
            if (!HopByHop.is(names.get(i), named)) {
                kept.add(names.get(i), values.get(i));
            }
        }
        return new EventLoopResponseHead(status, kept.build(), contentType, length, !close, size);
    }

    private static int lineEnd(byte[] b, int from) throws IOException {
        for (int i = from; ; i++) {
            if (b[i] == '\r') {
                if (b[i + 1] != '\n') {
                    throw new IOException("upstream sent a bare CR in its response head");
                }
                return i;
            }
            if (b[i] == '\n' || b[i] == 0) {
                throw new IOException("upstream sent a bare LF or NUL in its response head");
            }
        }
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (b[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean digits(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] < '0' || b[i] > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean digits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
