package dev.harmony.http.frontend;

/**
 * Request paths an upstream could read differently from us, refused before any pipeline sees them.
 * The path stays percent-encoded on its way through (it is forwarded as received), so whatever an
 * upstream might decode into a traversal or another path is refused here: {@code .} and {@code ..}
 * segments however spelt ({@code %2e}, {@code ..;param}), encoded slashes and backslashes, raw
 * backslashes, NUL and other control characters, broken percent-encoding, and double-encoded forms
 * of all of these.
 */
final class RequestPaths {
    private RequestPaths() {
    }

    /** What is wrong with the raw (still encoded) path, or null if nothing. */
    static String problem(String rawPath) {
        boolean suspicious = false;
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return "the request path must not contain control characters";
            }
            if (c == '\\') {
                return "the request path must not contain a backslash";
            }
            if (c == '%' || c == '.') {
                suspicious = true;
            }
        }
        if (!suspicious) {
            return null; // the common case, without looking at segments
        }
        int start = rawPath.startsWith("/") ? 1 : 0;
        while (start <= rawPath.length()) {
            int end = rawPath.indexOf('/', start);
            if (end < 0) {
                end = rawPath.length();
            }
            String problem = segmentProblem(rawPath, start, end);
            if (problem != null) {
                return problem;
            }
            start = end + 1;
        }
        return null;
    }

    private static String segmentProblem(String path, int start, int end) {
        StringBuilder decoded = new StringBuilder(end - start);
        for (int i = start; i < end; i++) {
            char c = path.charAt(i);
            if (c != '%') {
                decoded.append(c);
                continue;
            }
            int hi = i + 2 < end ? Character.digit(path.charAt(i + 1), 16) : -1;
            int lo = hi >= 0 ? Character.digit(path.charAt(i + 2), 16) : -1;
            if (lo < 0) {
                return "the request path has a broken percent-encoding";
            }
            char d = (char) (hi * 16 + lo);
            if (d == '/' || d == '\\') {
                return "the request path must not contain an encoded slash or backslash";
            }
            if (d < 0x20 || d == 0x7f) {
                return "the request path must not contain encoded control characters";
            }
            decoded.append(d);
            i += 2;
        }
        String s = decoded.toString();
        int semicolon = s.indexOf(';');
        String name = semicolon < 0 ? s : s.substring(0, semicolon); // "..;x" is ".." to some servers
        if (name.equals(".") || name.equals("..")) {
            return "the request path must not contain '.' or '..' segments";
        }
        if (s.indexOf('%') >= 0) {
            String lower = s.toLowerCase(java.util.Locale.ROOT);
            if (lower.contains("%2e") || lower.contains("%2f") || lower.contains("%5c") || lower.contains("%00")) {
                return "the request path must not contain double-encoded characters";
            }
        }
        return null;
    }

    /** What is wrong with the raw query, or null: only control characters, the rest is the upstream's. */
    static String queryProblem(String rawQuery) {
        for (int i = 0; i < rawQuery.length(); i++) {
            char c = rawQuery.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return "the query must not contain control characters";
            }
        }
        return null;
    }
}
