package dev.harmony.http.dashboard;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Who may read the dashboard: anyone, or callers presenting the configured basic credentials or bearer
 * token (either is enough when both are set). Credentials are compared in constant time.
 */
final class DashboardAccess {
    private final byte[] basic;
    private final byte[] bearer;

    DashboardAccess(String user, String password, String token) {
        this.basic = user == null ? null
                : Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8))
                        .getBytes(StandardCharsets.US_ASCII);
        this.bearer = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    boolean isOpen() {
        return basic == null && bearer == null;
    }

    boolean allows(String authorization) {
        if (isOpen()) {
            return true;
        }
        if (authorization == null) {
            return false;
        }
        String value = authorization.strip();
        int space = value.indexOf(' ');
        if (space < 0) {
            return false;
        }
        String scheme = value.substring(0, space).toLowerCase(Locale.ROOT);
        byte[] presented = value.substring(space + 1).strip().getBytes(StandardCharsets.UTF_8);
        return switch (scheme) {
            case "basic" -> basic != null && MessageDigest.isEqual(basic, presented);
            case "bearer" -> bearer != null && MessageDigest.isEqual(bearer, presented);
            default -> false;
        };
    }

    /** The WWW-Authenticate challenges for a 401 (RFC 7617 and RFC 6750). */
    List<String> challenges() {
        List<String> out = new ArrayList<>();
        if (basic != null) {
            out.add("Basic realm=\"Harmony dashboard\", charset=\"UTF-8\"");
        }
        if (bearer != null) {
            out.add("Bearer realm=\"Harmony dashboard\"");
        }
        return out;
    }
}
