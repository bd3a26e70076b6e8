package dev.harmony.http.middleware;

/** Why a bearer token was refused; becomes a 401 {@code invalid_token}. Internal control flow, no stack. */
final class TokenRejected extends Exception {
    private static final long serialVersionUID = 1L;

    TokenRejected(String description) {
        super(description, null, false, false);
    }
}
