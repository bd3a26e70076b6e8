package dev.harmony.http.backend;

import java.nio.charset.StandardCharsets;

/**
 * Escapes what clients often send raw but RFC 3986 does not allow in a URL (FHIR's {@code system|value}
 * tokens, brackets, non-ASCII), so the upstream gets a valid request target. Existing {@code %XX}
 * escapes and every allowed character stay as they are: the target is otherwise forwarded unchanged.
 */
final class PercentEncoding {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private PercentEncoding() {
    }

    static String path(String raw) {
        return escape(raw, false);
    }

    static String query(String raw) {
        return escape(raw, true);
    }

    private static String escape(String raw, boolean query) {
        int i = 0;
        while (i < raw.length() && allowed(raw.charAt(i), query)) {
            i++;
        }
        if (i == raw.length()) {
            return raw;
        }
        StringBuilder b = new StringBuilder(raw.length() + 16).append(raw, 0, i);
        while (i < raw.length()) {
            char c = raw.charAt(i);
            if (allowed(c, query)) {
                b.append(c);
                i++;
                continue;
            }
            int end = Character.isHighSurrogate(c) && i + 1 < raw.length() ? i + 2 : i + 1;
            for (byte x : raw.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
                b.append('%').append(HEX[(x >> 4) & 0xf]).append(HEX[x & 0xf]);
            }
            i = end;
        }
        return b.toString();
    }

    /** RFC 3986 pchar plus '/' (and '?' in a query), with '%' kept for existing escapes. */
    private static boolean allowed(char c, boolean query) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            return true;
        }
        return switch (c) {
            case '-', '.', '_', '~', '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=', ':', '@', '/', '%' -> true;
            case '?' -> query;
            default -> false;
        };
    }
}
