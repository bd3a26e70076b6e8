package dev.harmony.http.middleware;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.AlgorithmMismatchException;
import com.auth0.jwt.exceptions.IncorrectClaimException;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.MissingClaimException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.Claim;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.auth0.jwt.interfaces.Verification;
import com.fasterxml.jackson.databind.JsonNode;
import dev.harmony.http.HttpAttributes;
import dev.harmony.http.Scopes;
import dev.harmony.message.Attribute;
import dev.harmony.message.Attributes;
import dev.harmony.message.Json;
import dev.harmony.message.Protocol;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.AsyncMiddleware;
import dev.harmony.pipeline.Rejection;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The auth guard: admits requests carrying a valid {@code Authorization: Bearer} JWT and rejects the
 * rest the RFC 6750 way (401 {@code invalid_token} with a {@code WWW-Authenticate} challenge; 403
 * {@code insufficient_scope}). Keys come from a shared secret (HS256/384/512), a PEM public key
 * (RS256/384/512, ES256/384) or a JWKS URL; the algorithm allow-list never includes {@code none} and
 * never mixes HMAC with public keys. {@code exp} is required, {@code exp}/{@code nbf} are checked with
 * a leeway, and issuer, audience and scopes are enforced when configured.
 *
 * <p>Refused as well (401 {@code invalid_token}): {@code exp}, {@code nbf} or {@code iat} that is
 * {@code null} or not a number, and any {@code crit} header (RFC 7515 4.1.11: no extension is
 * understood here; an empty or non-string {@code crit} is malformed). More than one
 * {@code Authorization} header is 400 {@code invalid_request} (RFC 6750 3.1), never one of them picked.
 * Token content quoted in a refusal (a {@code kid}, an {@code alg}) is cut to 40 printable characters.
 *
 * <p>JWKS keys are fetched asynchronously, one fetch at a time: a token whose key is cached is never
 * delayed by the IdP; one with an unknown {@code kid} waits for the fetch in flight or starts one (at
 * most every {@code jwksRefresh(.., atMostEvery)}), without holding a thread. While the key set cannot
 * be fetched an unknown {@code kid} is 503 with {@code Retry-After} at once (the token may be fine).
 *
 * <p>On success the request carries {@link HttpAttributes#JWT_SUBJECT}, {@link HttpAttributes#JWT_ISSUER},
 * {@link HttpAttributes#CLIENT_ID}, {@link HttpAttributes#SCOPES} and {@link Attribute#PRINCIPAL}.
 *
 * <pre>{@code
 * JwtAuth.jwks(URI.create("https://idp.example.org/.well-known/jwks.json"))
 *         .issuer("https://idp.example.org/")
 *         .audience("fhir-proxy")
 *         .requireScopes("patient/*.read")
 *         .build()
 * }</pre>
 */
public final class JwtAuth implements AsyncMiddleware {
    /** The NumericDate claims (RFC 7519 4.1.4-4.1.6): if present they must be numbers, never null. */
    private static final List<String> TIME_CLAIMS = List.of("exp", "nbf", "iat");

    private final KeySource keys;
    private final Set<String> allowed;
    private final String issuer;
    private final String audience;
    private final List<String> requiredScopes;
    private final Duration leeway;
    private final String realm;
    private final Clock clock;
    private final Map<Algorithm, JWTVerifier> verifiers = new ConcurrentHashMap<>();
    private final VerifiedTokens verified;

    private JwtAuth(Builder b) {
        this.keys = b.keys;
        this.allowed = Set.copyOf(b.algorithms == null ? b.keys.algorithms() : b.algorithms);
        this.issuer = b.issuer;
        this.audience = b.audience;
        this.requiredScopes = List.copyOf(b.requiredScopes);
        this.leeway = b.leeway;
        this.realm = b.realm;
        this.clock = b.clock;
        this.verified = new VerifiedTokens(b.cacheSize, b.cacheTtl, b.leeway, b.clock);
    }

    /** Tokens signed with a shared secret (HS256/384/512); at least 32 bytes. */
    public static Builder hmacSecret(byte[] secret) {
        return new Builder(StaticKeys.secret(Objects.requireNonNull(secret, "secret")));
    }

    /** Tokens signed with a shared secret given as UTF-8 text; at least 32 bytes. */
    public static Builder hmacSecret(String secret) {
        return hmacSecret(Objects.requireNonNull(secret, "secret").getBytes(StandardCharsets.UTF_8));
    }

    /** Tokens signed with the private half of this PEM public key or certificate (RSA: RS*, EC: ES256/ES384). */
    public static Builder publicKeyPem(String pem) {
        return new Builder(StaticKeys.publicKey(PublicKeys.fromPem(Objects.requireNonNull(pem, "pem"))));
    }

    /** Tokens signed with keys published at a JWKS URL (RS*, ES256/ES384), matched by {@code kid}. */
    public static Builder jwks(URI url) {
        Objects.requireNonNull(url, "jwks url");
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
            throw new IllegalArgumentException("JwtAuth.jwks: URL must be http(s), got '" + url + "'");
        }
        return new Builder(url);
    }

    /**
     * Decides on the calling thread; only a token whose key is not known yet waits (without holding a
     * thread) for the one JWKS fetch in flight, and continues on the pipeline's blocking executor.
     */
    @Override
    public CompletionStage<Response> intercept(AsyncChain chain) {
        Decision decision = decide(chain.request());
        if (decision.later() != null) { // continue off the thread that completed the JWKS fetch
            return decision.later().thenComposeAsync(d -> d.apply(chain), chain.blockingExecutor());
        }
        return decision.apply(chain);
    }

    /** The decision, or one {@link Decision#later() later} if the token's key has to come from a JWKS fetch. */
    private Decision decide(Request request) {
        List<String> values = request.headers().all("Authorization");
        if (values.size() > 1) {
            // RFC 6750 3.1: more than one credential is invalid_request (400); never pick one of them
            return Decision.refusal(BearerChallenge.invalidRequest(realm, "more than one Authorization header"));
        }
        String authorization = values.isEmpty() ? null : values.get(0);
        if (authorization == null || authorization.isBlank()) {
            return Decision.refusal(BearerChallenge.missing(realm));
        }
        if (authorization.length() < 8 || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Decision.refusal(BearerChallenge.invalidToken(realm, "the Authorization header is not 'Bearer <token>'"));
        }
        // Keyed by the whole header value: a client resends it unchanged, and a hit then costs no substring
        VerifiedTokens.Verified known = verified.get(authorization);
        if (known != null) {
            return admission(request, known);
        }
        DecodedJWT token;
        try {
            token = decode(authorization.substring(7).strip());
        } catch (TokenRejected e) {
            return Decision.refusal(BearerChallenge.invalidToken(realm, e.getMessage()));
        }
        CompletableFuture<Decision> checked = keys.algorithmFor(token).toCompletableFuture().handle((algorithm, failure) -> {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof KeysUnavailable e) {
                return Decision.refusal(BearerChallenge.keysUnavailable(e.getMessage(), e.retryAfter()));
            }
            if (cause instanceof TokenRejected e) {
                return Decision.refusal(BearerChallenge.invalidToken(realm, e.getMessage()));
            }
            if (cause != null) {
                throw failure instanceof CompletionException c ? c : new CompletionException(cause);
            }
            try {
                return admission(request, verify(authorization, token, algorithm));
            } catch (TokenRejected e) {
                return Decision.refusal(BearerChallenge.invalidToken(realm, e.getMessage()));
            }
        });
        return checked.isDone() ? checked.join() : new Decision(null, null, checked);
    }

    private Decision admission(Request request, VerifiedTokens.Verified token) {
        if (!hasRequiredScopes(token.scopes())) {
            return Decision.refusal(BearerChallenge.insufficientScope(realm, String.join(" ", requiredScopes)));
        }
        return new Decision(withClaims(request, token), null, null);
    }

    private boolean hasRequiredScopes(Scopes scopes) {
        for (String required : requiredScopes) {
            if (!scopes.satisfies(required)) {
                return false;
            }
        }
        return true;
    }

    /** The request to pass on, with the token's claims, or the refusal, or the decision once the key is known. */
    private record Decision(Request admitted, Rejection refusal, CompletableFuture<Decision> later) {
        static Decision refusal(Rejection rejection) {
            return new Decision(null, rejection, null);
        }

        CompletionStage<Response> apply(AsyncChain chain) {
            return refusal != null ? CompletableFuture.completedFuture(Response.rejected(refusal))
                    : chain.proceed(admitted);
        }
    }

    /**
     * The token decoded and checked for what java-jwt lets through: a {@code crit} header (we understand
     * no extension, RFC 7515 4.1.11), a time claim that is null or not a number, an algorithm off the list.
     */
    private DecodedJWT decode(String raw) throws TokenRejected {
        DecodedJWT token;
        try {
            token = JWT.decode(raw);
        } catch (JWTDecodeException e) {
            // also a time claim of the wrong type: java-jwt refuses to decode those
            throw new TokenRejected("the token is not a well-formed JWT");
        }
        Claim crit = token.getHeaderClaim("crit");
        if (!crit.isMissing()) {
            throw new TokenRejected(criticalProblem(token));
        }
        for (String time : TIME_CLAIMS) {
            if (token.getClaim(time).isNull()) {
                throw new TokenRejected("claim '" + time + "' is not a NumericDate");
            }
        }
        String alg = token.getAlgorithm();
        if (alg == null || !allowed.contains(alg)) {
            throw new TokenRejected("algorithm '" + TokenText.shown(alg) + "' is not allowed");
        }
        return token;
    }

    /** What is wrong with a {@code crit} header: every well-formed one names an extension we do not implement. */
    private static String criticalProblem(DecodedJWT token) {
        JsonNode crit;
        try {
            crit = Json.mapper().readTree(Base64.getUrlDecoder().decode(token.getHeader())).get("crit");
        } catch (IOException | IllegalArgumentException e) {
            return "the 'crit' header is malformed";
        }
        if (crit == null || !crit.isArray() || crit.isEmpty()) {
            return "the 'crit' header must be a non-empty array of names";
        }
        for (JsonNode name : crit) {
            if (!name.isTextual() || name.textValue().isEmpty()) {
                return "the 'crit' header must be a non-empty array of names";
            }
        }
        return "critical header '" + TokenText.shown(crit.get(0).textValue()) + "' is not understood";
    }

    /** Checks signature and claims with {@code algorithm}; a verified token is cached under {@code authorization}. */
    private VerifiedTokens.Verified verify(String authorization, DecodedJWT token, Algorithm algorithm)
            throws TokenRejected {
        if (verifiers.size() > 256) {
            verifiers.clear(); // JWKS refreshes bring new key objects; do not keep verifiers of old ones forever
        }
        JWTVerifier verifier = verifiers.computeIfAbsent(algorithm, this::verifier);
        try {
            DecodedJWT valid = verifier.verify(token);
            VerifiedTokens.Verified ok = new VerifiedTokens.Verified(valid, scopes(valid), clientId(valid));
            verified.put(authorization, ok);
            return ok;
        } catch (TokenExpiredException e) {
            throw new TokenRejected("the token expired at " + e.getExpiredOn());
        } catch (SignatureVerificationException | AlgorithmMismatchException e) {
            throw new TokenRejected("the signature is invalid");
        } catch (MissingClaimException e) {
            throw new TokenRejected("the token has no '" + TokenText.shown(e.getClaimName()) + "' claim");
        } catch (IncorrectClaimException e) {
            throw new TokenRejected(switch (e.getClaimName()) {
                case "nbf" -> "the token is not valid yet";
                case "iat" -> "the token was issued in the future";
                case "iss" -> "wrong issuer";
                case "aud" -> "wrong audience";
                default -> "claim '" + TokenText.shown(e.getClaimName()) + "' is not acceptable";
            });
        } catch (JWTVerificationException e) {
            throw new TokenRejected("the token cannot be verified");
        }
    }

    private JWTVerifier verifier(Algorithm algorithm) {
        Verification v = JWT.require(algorithm).acceptLeeway(leeway.toSeconds()).withClaimPresence("exp");
        if (issuer != null) {
            v = v.withIssuer(issuer);
        }
        if (audience != null) {
            v = v.withAudience(audience);
        }
        return ((com.auth0.jwt.JWTVerifier.BaseVerification) v).build(clock);
    }

    private static Scopes scopes(DecodedJWT token) {
        Claim scope = token.getClaim("scope");
        if (!scope.isMissing() && !scope.isNull() && scope.asString() != null) {
            return Scopes.parse(scope.asString());
        }
        Claim scp = token.getClaim("scp");
        if (scp.isMissing() || scp.isNull()) {
            return Scopes.none();
        }
        List<String> list = scp.asList(String.class);
        return list != null ? Scopes.of(new LinkedHashSet<>(list)) : Scopes.parse(scp.asString());
    }

    /** The request with the token's claims as attributes, in one new request (this runs for every request). */
    private static Request withClaims(Request request, VerifiedTokens.Verified token) {
        Attributes a = request.attributes().with(HttpAttributes.SCOPES, token.scopes());
        String subject = token.jwt().getSubject();
        if (subject != null) {
            a = a.with(HttpAttributes.JWT_SUBJECT, subject).with(Attribute.PRINCIPAL, subject);
        }
        String issuer = token.jwt().getIssuer();
        if (issuer != null) {
            a = a.with(HttpAttributes.JWT_ISSUER, issuer);
        }
        if (token.clientId() != null) {
            a = a.with(HttpAttributes.CLIENT_ID, token.clientId());
        }
        return request.toBuilder().attributes(a).build();
    }

    /** The client the token was issued to: the first of {@code client_id}, {@code azp}, {@code cid}. */
    private static String clientId(DecodedJWT token) {
        for (String claim : new String[] {"client_id", "azp", "cid"}) {
            String client = token.getClaim(claim).asString();
            if (client != null) {
                return client;
            }
        }
        return null;
    }

    @Override
    public void start() {
        keys.start();
    }

    @Override
    public void stop() {
        keys.stop();
    }

    /**
     * HTTP, and DICOM: a DICOM listener hands a JWT user identity (PS3.7 D.3.3.7, type 5) to the pipeline
     * as this same {@code Authorization: Bearer} credential, so one guard serves both protocols.
     */
    @Override
    public Set<Protocol> protocols() {
        return Set.of(Protocol.HTTP, Protocol.DICOM);
    }

    @Override
    public Description describe() {
        return new Description("Auth Guard", "OAuth2 / JWT (" + String.join(", ", new TreeSet<>(allowed)) + ", "
                + keys.describe() + ")");
    }

    /** Configures a {@link JwtAuth}; {@link #build()} checks the options. */
    public static final class Builder {
        private KeySource keys;
        private final URI jwksUrl;
        private Set<String> algorithms;
        private String issuer;
        private String audience;
        private final List<String> requiredScopes = new ArrayList<>();
        private Duration leeway = Duration.ofSeconds(30);
        private String realm = "harmony";
        private Clock clock = Clock.systemUTC();
        private Duration jwksRefresh = Duration.ofMinutes(10);
        private Duration jwksMinRefresh = Duration.ofSeconds(10);
        private Duration jwksFetchTimeout = JwksKeys.FETCH_TIMEOUT;
        private int cacheSize = 10_000;
        private Duration cacheTtl = Duration.ofMinutes(1);

        private Builder(KeySource keys) {
            this.keys = keys;
            this.jwksUrl = null;
        }

        private Builder(URI jwksUrl) {
            this.jwksUrl = jwksUrl;
        }

        /** Narrows the allowed algorithms (default: every algorithm the key type supports). */
        public Builder algorithms(String... names) {
            this.algorithms = new LinkedHashSet<>(List.of(names));
            return this;
        }

        /** The required {@code iss} claim. */
        public Builder issuer(String requiredIssuer) {
            this.issuer = Objects.requireNonNull(requiredIssuer, "issuer");
            return this;
        }

        /** The required {@code aud} claim (one of the token's audiences). */
        public Builder audience(String requiredAudience) {
            this.audience = Objects.requireNonNull(requiredAudience, "audience");
            return this;
        }

        /** Scopes every token must grant (SMART wildcards count, e.g. {@code patient/*.read}). */
        public Builder requireScopes(String... scopes) {
            requiredScopes.addAll(List.of(scopes));
            return this;
        }

        /** Clock skew tolerated on {@code exp}, {@code nbf} and {@code iat}; default 30 s. */
        public Builder leeway(Duration skew) {
            if (skew == null || skew.isNegative()) {
                throw new IllegalArgumentException("JwtAuth.leeway must be >= 0");
            }
            this.leeway = skew;
            return this;
        }

        /** The realm named in {@code WWW-Authenticate}; default {@code harmony}. */
        public Builder realm(String name) {
            this.realm = Objects.requireNonNull(name, "realm");
            return this;
        }

        /** The clock tokens are checked against (tests). */
        public Builder clock(Clock now) {
            this.clock = Objects.requireNonNull(now, "clock");
            return this;
        }

        /** How often the JWKS is refetched anyway (default 10 min) and at most how often (default 10 s). */
        public Builder jwksRefresh(Duration every, Duration atMostEvery) {
            if (every == null || atMostEvery == null || every.isNegative() || atMostEvery.isNegative()) {
                throw new IllegalArgumentException("JwtAuth.jwksRefresh: durations must be >= 0");
            }
            this.jwksRefresh = every;
            this.jwksMinRefresh = atMostEvery;
            return this;
        }

        /** How long one JWKS fetch may take (tests: an IdP that stalls longer than any request waits). */
        Builder jwksFetchTimeout(Duration value) {
            this.jwksFetchTimeout = Objects.requireNonNull(value, "jwksFetchTimeout");
            return this;
        }

        /**
         * How many verified tokens to remember (default 10 000; 0 = verify every request) and for at most
         * how long before verifying again (default 1 min; never beyond the token's expiry).
         */
        public Builder verifiedTokenCache(int maxTokens, Duration trustFor) {
            if (maxTokens < 0 || trustFor == null || trustFor.isNegative()) {
                throw new IllegalArgumentException("JwtAuth.verifiedTokenCache: size and duration must be >= 0");
            }
            this.cacheSize = maxTokens;
            this.cacheTtl = trustFor;
            return this;
        }

        public JwtAuth build() {
            if (jwksUrl != null) {
                keys = new JwksKeys(jwksUrl, jwksRefresh, jwksMinRefresh, jwksFetchTimeout, clock);
            }
            if (algorithms != null) {
                if (algorithms.isEmpty()) {
                    throw new IllegalArgumentException("JwtAuth.algorithms: at least one algorithm is needed");
                }
                for (String a : algorithms) {
                    if (!keys.algorithms().contains(a)) {
                        throw new IllegalArgumentException("JwtAuth.algorithms: " + a + " cannot be verified with a "
                                + keys.describe() + " (it supports " + new TreeSet<>(keys.algorithms()) + ")");
                    }
                }
            }
            for (String s : requiredScopes) {
                if (s.isBlank() || s.contains(" ")) {
                    throw new IllegalArgumentException("JwtAuth.requireScopes: '" + s + "' is not a single scope");
                }
            }
            return new JwtAuth(this);
        }
    }
}
