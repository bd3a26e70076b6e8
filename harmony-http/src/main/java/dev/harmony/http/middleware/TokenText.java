package dev.harmony.http.middleware;

/**
 * Token content (a {@code kid}, an {@code alg}, a {@code crit} name) as it may appear in a refusal: the
 * sender chose it, so it is cut short and anything but printable ASCII other than quotes and backslashes
 * is replaced, so it can neither bloat nor break the {@code WWW-Authenticate} quoted-string nor the body.
 */
final class TokenText {
    static final int MAX = 40;

    private TokenText() {
    }

    static String shown(String value) {
        if (value == null) {
            return "null";
        }
        int n = Math.min(value.length(), MAX);
        StringBuilder b = new StringBuilder(n + 3);
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            b.append(c < 0x20 || c > 0x7e || c == '"' || c == '\\' ? '?' : c);
        }
        return value.length() > MAX ? b.append("...").toString() : b.toString();
    }
}
