package dev.harmony.http.middleware;

import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.interfaces.DecodedJWT;
import java.security.PublicKey;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** One fixed key (a shared secret or a public key), with its algorithms built once up front. */
final class StaticKeys implements KeySource {
    private final Map<String, CompletableFuture<Algorithm>> byAlg; // completed once, shared by every lookup
    private final String description;

    private StaticKeys(Map<String, Algorithm> byAlg, String description) {
        Map<String, CompletableFuture<Algorithm>> m = new HashMap<>();
        byAlg.forEach((alg, a) -> m.put(alg, CompletableFuture.completedFuture(a)));
        this.byAlg = Map.copyOf(m);
        this.description = description;
    }

    static StaticKeys secret(byte[] secret) {
        if (secret.length < 32) {
            throw new IllegalArgumentException("JwtAuth.hmacSecret: the secret must be at least 32 bytes (256 bits),"
                    + " got " + secret.length);
        }
        Map<String, Algorithm> m = new HashMap<>();
        for (String alg : PublicKeys.HMAC_ALGORITHMS) {
            m.put(alg, PublicKeys.hmac(alg, secret.clone()));
        }
        return new StaticKeys(m, "shared secret");
    }

    static StaticKeys publicKey(PublicKey key) {
        Map<String, Algorithm> m = new HashMap<>();
        for (String alg : PublicKeys.algorithmsFor(key)) {
            m.put(alg, PublicKeys.algorithm(alg, key));
        }
        if (m.isEmpty()) {
            throw new IllegalArgumentException("JwtAuth.publicKeyPem: unsupported key (RSA, EC P-256 or P-384 expected)");
        }
        return new StaticKeys(m, key.getAlgorithm() + " public key");
    }

    @Override
    public Set<String> algorithms() {
        return byAlg.keySet();
    }

    @Override
    public CompletionStage<Algorithm> algorithmFor(DecodedJWT token) {
        CompletableFuture<Algorithm> a = byAlg.get(token.getAlgorithm());
        if (a == null) {
            return CompletableFuture.failedFuture(new TokenRejected("algorithm " + TokenText.shown(token.getAlgorithm())
                    + " does not fit the configured key"));
        }
        return a; // internal callers only read it
    }

    @Override
    public String describe() {
        return description;
    }
}
