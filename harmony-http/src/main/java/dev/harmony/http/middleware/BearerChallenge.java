package dev.harmony.http.middleware;

import dev.harmony.pipeline.Rejection;
import java.time.Duration;

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
        return Rejection.unauthenticated("invalid bearer token: " + bounded(description))
                .withReason("invalid_token")
                .withHeader("WWW-Authenticate", "Bearer realm=\"" + quote(realm) + "\", error=\"invalid_token\", "
                        + "error_description=\"" + quote(description) + "\"");
    }

    /** A request that is malformed as far as credentials go, e.g. two of them (RFC 6750 3.1: 400). */
    static Rejection invalidRequest(String realm, String description) {
        return Rejection.malformed("invalid request: " + bounded(description))
                .withReason("invalid_request")
                .withHeader("WWW-Authenticate", "Bearer realm=\"" + quote(realm) + "\", error=\"invalid_request\", "
                        + "error_description=\"" + quote(description) + "\"");
    }

    /**
     * The token's key cannot be looked up because the identity provider's key set cannot be fetched:
     * 503 with {@code Retry-After}, no challenge (the client's token may be fine).
     */
    static Rejection keysUnavailable(String description, Duration retryAfter) {
        return Rejection.unavailable("cannot verify the bearer token now: " + bounded(description))
                .withReason("jwks_unavailable")
                .withRetryAfter(retryAfter);
    }

    static Rejection insufficientScope(String realm, String requiredScopes) {
        return Rejection.forbidden("the token lacks the required scope: " + bounded(requiredScopes))
                .withReason("insufficient_scope")
                .withHeader("WWW-Authenticate", "Bearer realm=\"" + quote(realm) + "\", error=\"insufficient_scope\", "
                        + "error_description=\"the token lacks a required scope\", scope=\"" + quote(requiredScopes) + "\"");
    }

    /** The longest description put in a header or a body; token content in it is already cut short. */
    static final int MAX_DESCRIPTION = 200;

    /**
     * Header quoted-string: no quotes, backslashes or control characters, and bounded: descriptions may
     * carry token content (see {@link TokenText}); this is the last line of defence.
     */
    private static String quote(String s) {
        String text = bounded(s);
        StringBuilder b = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            b.append(c == '"' || c == '\\' || c < 0x20 || c > 0x7e ? '\'' : c);
        }
        return b.toString();
    }

    private static String bounded(String s) {
        return s.length() <= MAX_DESCRIPTION ? s : s.substring(0, MAX_DESCRIPTION) + "...";
    }
}
