package dev.harmony.http.middleware;

import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.fasterxml.jackson.databind.JsonNode;
import dev.harmony.http.internal.client.EventLoopClient;
import dev.harmony.message.Headers;
import dev.harmony.message.Json;
import dev.harmony.message.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keys from a JWKS endpoint (RFC 7517). Cached; refetched when a token names an unknown {@code kid}
 * or the cache is older than the refresh interval, but never more often than the minimum interval,
 * so a flood of tokens with made-up key ids cannot hammer the identity provider.
 *
 * <p>No thread ever waits for the IdP. Fetches are asynchronous and single-flight: tokens whose key is
 * cached are verified at once, also while a (periodic) fetch is in flight or the IdP stalls; a token
 * with an unknown {@code kid} waits, without holding a thread, for the one fetch in flight (at most
 * the fetch timeout, default {@link #FETCH_TIMEOUT}) or starts one if the minimum interval allows. If the last fetch failed and the
 * interval does not allow another yet, an unknown {@code kid} is answered at once with
 * {@link KeysUnavailable} (503): the token may well be signed with a key we just cannot see. If a fetch
 * fails the cached keys stay in use.
 *
 * <p>The key set is fetched with Harmony's one HTTP client, the one {@code HttpForward} uses (http or
 * https with the JDK's default trust and a host name check). Redirects are not followed: a JWKS URL
 * must name the set itself.
 */
final class JwksKeys implements KeySource {
    private static final Logger LOG = LoggerFactory.getLogger(JwksKeys.class);
    static final Set<String> ALGORITHMS = Set.of("RS256", "RS384", "RS512", "ES256", "ES384");
    /** The longest one fetch of the key set may take by default, connecting included. */
    static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);
    /** The largest key set read; a real one is a few KiB. */
    private static final int MAX_SET_BYTES = 1024 * 1024;

    /** One usable key of the set, with a verifying algorithm per JWS alg it fits (built once per fetch). */
    private record Jwk(String kid, String alg, Map<String, Algorithm> verifiers) {
    }

    /**
     * What the last fetch left: the keys of the last successful one and, if the last attempt failed, why.
     * Replaced whole, never changed, so readers need no lock.
     */
    private record KeySet(List<Jwk> keys, Map<String, Jwk> byKid, Instant fetchedAt, String failure) {
        static final KeySet NONE = new KeySet(List.of(), Map.of(), Instant.MIN, "not fetched yet");

        Jwk find(DecodedJWT token) {
            if (token.getKeyId() != null) {
                return byKid.get(token.getKeyId());
            }
            Jwk fitting = null;
            for (Jwk k : keys) {
                if (k.verifiers().containsKey(token.getAlgorithm())) {
                    if (fitting != null) {
                        return null; // more than one candidate: the token must say which
                    }
                    fitting = k;
                }
            }
            return fitting;
        }
    }

    private final URI url;
    private final Duration refreshInterval;
    private final Duration minRefreshInterval;
    private final Clock clock;
    private final Duration fetchTimeout;
    private final URI origin; // scheme, host and port: what the client connects to
    private final String target; // path and query of the URL: what the request line asks for
    private volatile EventLoopClient http; // while started; closed at stop
    private volatile KeySet current = KeySet.NONE;
    private final Object lock = new Object();
    private CompletableFuture<KeySet> inFlight; // guarded by lock
    private Instant lastAttempt = Instant.MIN; // guarded by lock; token- and age-triggered fetches only

    JwksKeys(URI url, Duration refreshInterval, Duration minRefreshInterval, Duration fetchTimeout, Clock clock) {
        this.url = url;
        this.refreshInterval = refreshInterval;
        this.minRefreshInterval = minRefreshInterval;
        this.fetchTimeout = fetchTimeout;
        this.clock = clock;
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        this.target = url.getRawQuery() == null ? path : path + "?" + url.getRawQuery();
        this.origin = origin(url); // checked now, at build(), rather than at the first fetch
    }

    @Override
    public Set<String> algorithms() {
        return ALGORITHMS;
    }

    /** Fetches the key set once, waiting at most the fetch timeout: the host's thread, not a request's. */
    @Override
    public void start() {
        EventLoopClient client = new EventLoopClient(origin, fetchTimeout, fetchTimeout, 1);
        client.start();
        http = client;
        try {
            refresh(true).get(fetchTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            LOG.warn("JWKS {}: no key set at start ({})", url, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void stop() {
        EventLoopClient h = http;
        http = null;
        if (h != null) {
            h.close(); // its I/O threads go; a fetch queued for a connection fails now
        }
        CompletableFuture<KeySet> waiting;
        synchronized (lock) {
            waiting = inFlight;
        }
        if (waiting != null) { // tokens waiting for a fetch get their answer (503) now, not at the timeout
            done(waiting, clock.instant(), null, new IOException("stopped"));
        }
    }

    private static URI origin(URI url) {
        boolean http = "http".equalsIgnoreCase(url.getScheme()) || "https".equalsIgnoreCase(url.getScheme());
        if (!http || url.getHost() == null || url.getRawUserInfo() != null) {
            throw new IllegalArgumentException("JWKS URL must be http(s)://host[:port]/path, got '" + url + "'");
        }
        return URI.create(url.getScheme() + "://" + url.getRawAuthority());
    }

    @Override
    public CompletionStage<Algorithm> algorithmFor(DecodedJWT token) {
        KeySet set = current;
        if (Duration.between(set.fetchedAt(), clock.instant()).compareTo(refreshInterval) > 0) {
            refresh(false); // in the background: this token is decided with the keys we have
        }
        Jwk jwk = set.find(token);
        if (jwk != null) {
            return fit(jwk, token);
        }
        CompletableFuture<KeySet> fresh = refresh(false); // maybe the IdP rotated its keys
        if (fresh == null) {
            return CompletableFuture.failedFuture(notFound(current, token));
        }
        return fresh.thenCompose(s -> {
            Jwk k = s.find(token);
            return k != null ? fit(k, token) : CompletableFuture.failedFuture(notFound(s, token));
        });
    }

    private static CompletableFuture<Algorithm> fit(Jwk jwk, DecodedJWT token) {
        if (jwk.alg() != null && !jwk.alg().equals(token.getAlgorithm())) {
            return CompletableFuture.failedFuture(new TokenRejected("key '" + TokenText.shown(jwk.kid()) + "' is for "
                    + TokenText.shown(jwk.alg()) + ", not " + TokenText.shown(token.getAlgorithm())));
        }
        Algorithm a = jwk.verifiers().get(token.getAlgorithm());
        if (a == null) {
            return CompletableFuture.failedFuture(new TokenRejected("algorithm " + TokenText.shown(token.getAlgorithm())
                    + " does not fit key '" + TokenText.shown(jwk.kid()) + "'"));
        }
        return CompletableFuture.completedFuture(a);
    }

    /** Why no key fits: the IdP has none (401), or we cannot ask it now (503). */
    private Exception notFound(KeySet set, DecodedJWT token) {
        if (set.failure() != null) {
            Duration wait;
            synchronized (lock) {
                wait = lastAttempt == Instant.MIN ? Duration.ZERO
                        : minRefreshInterval.minus(Duration.between(lastAttempt, clock.instant()));
            }
            return new KeysUnavailable("the identity provider's key set cannot be fetched (" + set.failure() + ")",
                    wait.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : wait);
        }
        return new TokenRejected(token.getKeyId() == null
                ? "token has no 'kid' and the key set has no single key for " + TokenText.shown(token.getAlgorithm())
                : "unknown key id '" + TokenText.shown(token.getKeyId()) + "'");
    }

    /**
     * The fetch in flight, else a new one unless the last attempt was too recent (then null). A forced
     * fetch (at start) ignores and does not count against the minimum interval.
     */
    private CompletableFuture<KeySet> refresh(boolean force) {
        synchronized (lock) {
            if (inFlight != null) {
                return inFlight;
            }
            Instant now = clock.instant();
            if (!force) {
                if (lastAttempt != Instant.MIN && Duration.between(lastAttempt, now).compareTo(minRefreshInterval) < 0) {
                    return null;
                }
                lastAttempt = now;
            }
            CompletableFuture<KeySet> fetch = new CompletableFuture<>();
            inFlight = fetch;
            EventLoopClient h = http;
            if (h == null) {
                done(fetch, now, null, new IOException("stopped"));
                return fetch;
            }
            // a big or chunked answer streams, and is read with blocking reads: on a worker, never an I/O thread
            h.send("GET", target, Headers.of("Accept", "application/json"))
                    .orTimeout(fetchTimeout.toMillis(), TimeUnit.MILLISECONDS)
                    .thenApplyAsync(this::parse, h.blockingExecutor())
                    .whenComplete((keys, failure) -> done(fetch, now, keys, failure == null ? null : why(failure)));
            return fetch;
        }
    }

    /** What made a fetch fail, unwrapped from the future's and the parser's wrappers. */
    private Exception why(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof UncheckedIOException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof TimeoutException) {
            return new IOException("no key set within " + fetchTimeout.toMillis() + " ms");
        }
        return t instanceof Exception e ? e : new IOException(t.toString(), t);
    }

    /** Publishes the outcome of a fetch, then lets the waiting tokens look again. */
    private void done(CompletableFuture<KeySet> fetch, Instant startedAt, List<Jwk> parsed, Exception failure) {
        if (fetch.isDone()) {
            return; // already answered by stop()
        }
        KeySet old = current;
        KeySet next;
        if (parsed != null) {
            Map<String, Jwk> index = new HashMap<>();
            for (Jwk k : parsed) {
                if (k.kid() != null) {
                    index.put(k.kid(), k);
                }
            }
            next = new KeySet(parsed, Map.copyOf(index), startedAt, null);
            LOG.debug("JWKS {}: {} keys", url, parsed.size());
        } else {
            String why = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
            next = new KeySet(old.keys(), old.byKid(), old.fetchedAt(), why);
            LOG.warn("JWKS {}: fetch failed ({}); keeping {} cached keys", url, why, old.keys().size());
        }
        current = next;
        synchronized (lock) {
            inFlight = null;
        }
        fetch.complete(next);
    }

    private List<Jwk> parse(Response r) {
        try (InputStream in = r.body().stream()) {
            if (r.status() != 200) {
                throw new IOException("HTTP " + r.status());
            }
            byte[] bytes = in.readNBytes(MAX_SET_BYTES + 1);
            if (bytes.length > MAX_SET_BYTES) {
                throw new IOException("key set larger than " + MAX_SET_BYTES + " bytes");
            }
            return keys(Json.mapper().readTree(bytes).path("keys"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<Jwk> keys(JsonNode list) throws IOException {
        if (!list.isArray()) {
            throw new IOException("not a JWK set: no 'keys' array");
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
            LOG.warn("JWKS {}: skipping key '{}': {}", url, TokenText.shown(kid), e.getMessage());
            return null;
        }
    }

    @Override
    public String describe() {
        return "JWKS " + url.getHost();
    }
}
