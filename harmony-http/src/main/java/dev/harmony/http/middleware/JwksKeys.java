package dev.harmony.http.middleware;

import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.fasterxml.jackson.databind.JsonNode;
import dev.harmony.message.Json;
import java.io.IOException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keys from a JWKS endpoint (RFC 7517). Cached; refetched when a token names an unknown {@code kid}
 * or the cache is older than the refresh interval, but never more often than the minimum interval,
 * so a flood of tokens with made-up key ids cannot hammer the identity provider. If a fetch fails the
 * cached keys stay in use.
 */
final class JwksKeys implements KeySource {
    private static final Logger LOG = LoggerFactory.getLogger(JwksKeys.class);
    static final Set<String> ALGORITHMS = Set.of("RS256", "RS384", "RS512", "ES256", "ES384");

    /** One usable key of the set, with a verifying algorithm per JWS alg it fits (built once per fetch). */
    private record Jwk(String kid, String alg, Map<String, Algorithm> verifiers) {
    }

    private final URI url;
    private final Duration refreshInterval;
    private final Duration minRefreshInterval;
    private final Clock clock;
    private final OkHttpClient http;
    private volatile List<Jwk> keys = List.of();
    private volatile Map<String, Jwk> byKid = Map.of();
    private Instant lastAttempt = Instant.MIN;
    private volatile Instant fetchedAt = Instant.MIN;

    JwksKeys(URI url, Duration refreshInterval, Duration minRefreshInterval, Clock clock) {
        this.url = url;
        this.refreshInterval = refreshInterval;
        this.minRefreshInterval = minRefreshInterval;
        this.clock = clock;
        this.http = new OkHttpClient.Builder()
                .connectTimeout(3, TimeUnit.SECONDS)
                .readTimeout(5, TimeUnit.SECONDS)
                .callTimeout(10, TimeUnit.SECONDS)
                .build();
    }

    @Override
    public Set<String> algorithms() {
        return ALGORITHMS;
    }

    @Override
    public boolean mayBlock() {
        return true;
    }

    @Override
    public void start() {
        refresh(true);
    }

    @Override
    public void stop() {
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    @Override
    public Algorithm algorithmFor(DecodedJWT token) throws TokenRejected {
        if (Duration.between(fetchedAt, clock.instant()).compareTo(refreshInterval) > 0) {
            refresh(false);
        }
        Jwk jwk = find(token);
        if (jwk == null && token.getKeyId() != null) {
            refresh(false); // maybe the IdP rotated its keys
            jwk = find(token);
        }
        if (jwk == null) {
            throw new TokenRejected(token.getKeyId() == null ? "token has no 'kid' and the key set has no single key for "
                    + token.getAlgorithm() : "unknown key id '" + token.getKeyId() + "'");
        }
        if (jwk.alg() != null && !jwk.alg().equals(token.getAlgorithm())) {
            throw new TokenRejected("key '" + jwk.kid() + "' is for " + jwk.alg() + ", not " + token.getAlgorithm());
        }
        Algorithm a = jwk.verifiers().get(token.getAlgorithm());
        if (a == null) {
            throw new TokenRejected("algorithm " + token.getAlgorithm() + " does not fit key '" + jwk.kid() + "'");
        }
        return a;
    }

    private Jwk find(DecodedJWT token) {
        if (token.getKeyId() != null) {
            return byKid.get(token.getKeyId());
        }
        List<Jwk> fitting = keys.stream()
                .filter(k -> k.verifiers().containsKey(token.getAlgorithm())).toList();
        return fitting.size() == 1 ? fitting.get(0) : null;
    }

    /** Fetches the key set unless the last attempt was too recent; keeps the old keys on failure. */
    private synchronized void refresh(boolean force) {
        Instant now = clock.instant();
        if (!force && lastAttempt != Instant.MIN && Duration.between(lastAttempt, now).compareTo(minRefreshInterval) < 0) {
            return;
        }
        if (!force) {
            lastAttempt = now; // only token-triggered fetches count against the minimum interval
        }
        try (Response r = http.newCall(new Request.Builder().url(url.toString()).header("Accept", "application/json")
                .build()).execute()) {
            if (!r.isSuccessful() || r.body() == null) {
                throw new IOException("HTTP " + r.code());
            }
            List<Jwk> parsed = parse(Json.mapper().readTree(r.body().byteStream()));
            Map<String, Jwk> index = new HashMap<>();
            for (Jwk k : parsed) {
                if (k.kid() != null) {
                    index.put(k.kid(), k);
                }
            }
            keys = parsed;
            byKid = Map.copyOf(index);
            fetchedAt = now;
            LOG.debug("JWKS {}: {} keys", url, parsed.size());
        } catch (IOException | RuntimeException e) {
            LOG.warn("JWKS {}: fetch failed ({}); keeping {} cached keys", url, e.getMessage(), keys.size());
        }
    }

    private List<Jwk> parse(JsonNode set) {
        JsonNode list = set.path("keys");
        if (!list.isArray()) {
            throw new IllegalStateException("not a JWK set: no 'keys' array");
        }
        return java.util.stream.StreamSupport.stream(list.spliterator(), false)
                .filter(k -> !k.has("use") || "sig".equals(k.path("use").asText()))
                .map(this::key)
                .filter(java.util.Objects::nonNull)
                .toList();
    }

    private Jwk key(JsonNode k) {
        String kid = k.hasNonNull("kid") ? k.get("kid").asText() : null;
        String alg = k.hasNonNull("alg") ? k.get("alg").asText() : null;
        try {
            PublicKey key = switch (k.path("kty").asText()) {
                case "RSA" -> PublicKeys.rsa(k.path("n").asText(), k.path("e").asText());
                case "EC" -> PublicKeys.ec(k.path("crv").asText(), k.path("x").asText(), k.path("y").asText());
                default -> null; // oct keys never come from a public JWKS; others are unsupported
            };
            if (key == null) {
                return null;
            }
            Map<String, Algorithm> verifiers = new HashMap<>();
            for (String a : PublicKeys.algorithmsFor(key)) {
                verifiers.put(a, PublicKeys.algorithm(a, key));
            }
            return new Jwk(kid, alg, Map.copyOf(verifiers));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            LOG.warn("JWKS {}: skipping key '{}': {}", url, kid, e.getMessage());
            return null;
        }
    }

    @Override
    public String describe() {
        return "JWKS " + url.getHost();
    }
}
