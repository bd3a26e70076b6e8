package dev.harmony.fhir.backend;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link FhirClient} authenticates to the FHIR server. The secret never appears in
 * {@link #toString()} or in stage descriptions.
 */
public final class FhirAuth {
    private static final FhirAuth NONE = new FhirAuth("none", null);

    private final String scheme;
    private final String authorization;

    private FhirAuth(String scheme, String authorization) {
        this.scheme = scheme;
        this.authorization = authorization;
    }

    /** No {@code Authorization} header. */
    public static FhirAuth none() {
        return NONE;
    }

    /** {@code Authorization: Bearer <token>} (RFC 6750), e.g. a token for a cloud FHIR API. */
    public static FhirAuth bearer(String token) {
        Objects.requireNonNull(token, "token");
        if (token.isBlank() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new IllegalArgumentException("FHIR Client: a bearer token must be non-blank visible ASCII");
        }
        return new FhirAuth("bearer", "Bearer " + token);
    }

    /** {@code Authorization: Basic ...} (RFC 7617) with UTF-8 credentials. */
    public static FhirAuth basic(String user, String password) {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (user.isEmpty() || user.contains(":")) {
            throw new IllegalArgumentException("FHIR Client: a basic-auth user must be non-empty and contain no ':'");
        }
        String pair = user + ":" + password;
        return new FhirAuth("basic", "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    }

    /** The header value, if any. */
    Optional<String> authorization() {
        return Optional.ofNullable(authorization);
    }

    /** {@code none}, {@code bearer} or {@code basic}: safe to show. */
    public String scheme() {
        return scheme;
    }

    @Override
    public String toString() {
        return "FhirAuth[" + scheme + "]";
    }
}
