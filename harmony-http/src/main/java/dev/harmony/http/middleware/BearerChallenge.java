package dev.harmony.http.middleware;

import dev.harmony.pipeline.Rejection;

/** RFC 6750 §3 answers: the {@code WWW-Authenticate: Bearer ...} challenge with the right error code. */
final class BearerChallenge {
    private BearerChallenge() {
    }

    /** No credentials at all: a bare challenge without an error code (RFC 6750 §3.1). */
    static Rejection missing(String realm) {
        return Rejection.unauthenticated("a bearer token is required")
                .withHeader("WWW-Authenticate", "Bearer realm=\"" + quote(realm) + "\"");
    }

    static Rejection invalidToken(String realm, String description) {
        return Rejection.unauthenticated("invalid bearer token: " + description)
                .withReason("invalid_token")
                .withHeader("WWW-Authenticate", "Bearer realm=\"" + quote(realm) + "\", error=\"invalid_token\", "
                        + "error_description=\"" + quote(description) + "\"");
    }

    static Rejection insufficientScope(String realm, String requiredScopes) {
        return Rejection.forbidden("the token lacks the required scope: " + requiredScopes)
                .withReason("insufficient_scope")
                .withHeader("WWW-Authenticate", "Bearer realm=\"" + quote(realm) + "\", error=\"insufficient_scope\", "
                        + "error_description=\"the token lacks a required scope\", scope=\"" + quote(requiredScopes) + "\"");
    }

    /** Header quoted-string: no quotes, backslashes or control characters from token contents. */
    private static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            b.append(c == '"' || c == '\\' || c < 0x20 || c > 0x7e ? '\'' : c);
        }
        return b.toString();
    }
}
