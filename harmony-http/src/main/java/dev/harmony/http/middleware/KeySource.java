package dev.harmony.http.middleware;

import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.interfaces.DecodedJWT;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/** Where verification keys come from: a shared secret, a PEM public key, or a JWKS endpoint. */
interface KeySource {

    /** The algorithms this kind of key can verify (the default allow-list). */
    Set<String> algorithms();

    /**
     * The algorithm (key + alg) to verify {@code token} with. The token's {@code alg} is already known
     * to be on the allow-list. Never blocks: the stage is complete unless a key set fetch has to answer
     * first. It fails with {@link TokenRejected} (401) or {@link KeysUnavailable} (503).
     */
    CompletionStage<Algorithm> algorithmFor(DecodedJWT token);

    /** Fetches remote keys, if any; failures are logged, not thrown (the IdP may come up later). */
    default void start() {
    }

    default void stop() {
    }

    /** For descriptions, e.g. {@code JWKS https://idp/jwks}; never a secret. */
    String describe();
}
