package dev.harmony.http.middleware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.auth0.jwt.algorithms.Algorithm;
import com.sun.net.httpserver.HttpServer;
import dev.harmony.http.HttpAttributes;
import dev.harmony.http.Loopback;
import dev.harmony.http.TestTokens;
import dev.harmony.http.frontend.HttpIngress;
import dev.harmony.message.Attribute;
import dev.harmony.message.Protocol;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.AsyncBackend;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.testing.DirectFrontend;
import dev.harmony.testing.RecordingBackend;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The auth guard behind a real HTTP ingress: every accepted and refused token case, on loopback. */
class JwtAuthTest {
    private static final KeyPair RSA = TestTokens.rsa();
    private static final KeyPair OTHER_RSA = TestTokens.rsa();
    private static final KeyPair EC = TestTokens.ec256();

    private final RecordingBackend backend = RecordingBackend.answering(Response.ok());
    private Pipeline pipeline;
    private HttpIngress ingress;
    private HttpServer idp;

    @AfterEach
    void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
        if (idp != null) {
            idp.stop(0);
        }
    }

    private void serve(JwtAuth guard) {
        ingress = HttpIngress.port(0).bind("127.0.0.1").build();
        pipeline = Pipeline.builder().name("jwt").frontend(ingress).use(guard).backend(backend).build();
        pipeline.start();
    }

    private HttpResponse<String> call(String authorization) {
        return authorization == null ? Loopback.get(ingress.port(), "/Patient")
                : Loopback.get(ingress.port(), "/Patient", "Authorization", authorization);
    }

    private HttpResponse<String> bearer(String token) {
        return call("Bearer " + token);
    }

    private static JwtAuth.Builder hs() {
        return JwtAuth.hmacSecret(TestTokens.SECRET).issuer(TestTokens.ISSUER).audience(TestTokens.AUDIENCE);
    }

    private static void assertInvalidToken(HttpResponse<String> r, String descriptionPart) {
        assertThat(r.statusCode()).isEqualTo(401);
        String challenge = r.headers().firstValue("WWW-Authenticate").orElseThrow();
        assertThat(challenge).startsWith("Bearer realm=\"harmony\"").contains("error=\"invalid_token\"")
                .contains("error_description=\"").contains(descriptionPart);
        assertThat(r.body()).contains("invalid_token");
    }

    @Test
    void validHs256TokenPassesWithClaimsAsAttributes() {
        serve(hs().requireScopes("patient/Patient.read").build());
        HttpResponse<String> r = bearer(TestTokens.sign(TestTokens.hs256()));
        assertThat(r.statusCode()).isEqualTo(200);
        var seen = backend.last().request();
        assertThat(seen.attribute(HttpAttributes.JWT_SUBJECT)).contains("alice");
        assertThat(seen.attribute(Attribute.PRINCIPAL)).contains("alice");
        assertThat(seen.attribute(HttpAttributes.CLIENT_ID)).contains("portal");
        assertThat(seen.attribute(HttpAttributes.JWT_ISSUER)).contains(TestTokens.ISSUER);
        assertThat(seen.attribute(HttpAttributes.SCOPES).orElseThrow().asSet()).contains("patient/*.read");
    }

    @Test
    void validRs256AndEs256TokensPassWithPemKeys() {
        serve(JwtAuth.publicKeyPem(TestTokens.pem(RSA.getPublic())).audience(TestTokens.AUDIENCE).build());
        assertThat(bearer(TestTokens.sign(TestTokens.rs256(RSA))).statusCode()).isEqualTo(200);
        assertInvalidToken(bearer(TestTokens.sign(TestTokens.rs256(OTHER_RSA))), "signature");
        pipeline.close();

        serve(JwtAuth.publicKeyPem(TestTokens.pem(EC.getPublic())).build());
        assertThat(bearer(TestTokens.sign(TestTokens.es256(EC))).statusCode()).isEqualTo(200);
    }

    @Test
    void everySupportedAlgorithmVerifies() throws Exception {
        byte[] secret = TestTokens.SECRET.getBytes(StandardCharsets.UTF_8);
        serve(JwtAuth.hmacSecret(secret).build());
        for (Algorithm a : new Algorithm[] {Algorithm.HMAC256(secret), Algorithm.HMAC384(secret), Algorithm.HMAC512(secret)}) {
            assertThat(bearer(TestTokens.sign(a)).statusCode()).as(a.getName()).isEqualTo(200);
        }
        pipeline.close();

        serve(JwtAuth.publicKeyPem(TestTokens.pem(RSA.getPublic())).build());
        RSAPublicKey pub = (RSAPublicKey) RSA.getPublic();
        java.security.interfaces.RSAPrivateKey priv = (java.security.interfaces.RSAPrivateKey) RSA.getPrivate();
        for (Algorithm a : new Algorithm[] {Algorithm.RSA256(pub, priv), Algorithm.RSA384(pub, priv), Algorithm.RSA512(pub, priv)}) {
            assertThat(bearer(TestTokens.sign(a)).statusCode()).as(a.getName()).isEqualTo(200);
        }
        pipeline.close();

        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
        g.initialize(new java.security.spec.ECGenParameterSpec("secp384r1"));
        KeyPair p384 = g.generateKeyPair();
        serve(JwtAuth.publicKeyPem(TestTokens.pem(p384.getPublic())).build());
        assertThat(bearer(TestTokens.sign(Algorithm.ECDSA384((ECPublicKey) p384.getPublic(),
                (java.security.interfaces.ECPrivateKey) p384.getPrivate()))).statusCode()).isEqualTo(200);
        // An ES256 token cannot be verified with a P-384 key.
        assertInvalidToken(bearer(TestTokens.sign(TestTokens.es256(EC))), "'ES256' is not allowed");
    }

    @Test
    void missingTokenGetsABareChallenge() {
        serve(hs().build());
        HttpResponse<String> r = call(null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"harmony\"");
        assertThat(backend.count()).isZero();
    }

    @Test
    void everyBadTokenIs401InvalidToken() {
        serve(hs().leeway(Duration.ofSeconds(5)).build());
        Instant now = Instant.now();
        assertInvalidToken(bearer(TestTokens.sign(TestTokens.hs256(), b -> b.withIssuedAt(now.minusSeconds(3600))
                .withExpiresAt(now.minusSeconds(60)))), "expired");
        assertInvalidToken(bearer(TestTokens.sign(TestTokens.hs256(), b -> b.withNotBefore(now.plusSeconds(600)))),
                "not valid yet");
        assertInvalidToken(bearer(TestTokens.sign(TestTokens.hs256(), b -> b.withIssuer("https://evil/"))), "issuer");
        assertInvalidToken(bearer(TestTokens.sign(TestTokens.hs256(), b -> b.withAudience("other-api"))), "audience");
        assertInvalidToken(bearer(TestTokens.sign(Algorithm.HMAC256("another-secret-another-secret-0123456789")))
                , "signature");
        assertInvalidToken(bearer(com.auth0.jwt.JWT.create().withIssuer(TestTokens.ISSUER).withAudience(TestTokens.AUDIENCE)
                .withSubject("forever").sign(TestTokens.hs256())), "'exp'");
        assertInvalidToken(bearer(unsigned()), "'none' is not allowed");
        assertInvalidToken(bearer("not-a-jwt"), "well-formed");
        assertInvalidToken(call("Basic dXNlcjpwdw=="), "Bearer <token>");
        assertInvalidToken(call("Bearer"), "Bearer <token>");
        assertThat(backend.count()).isZero();

        // Within the leeway an expired token still passes.
        assertThat(bearer(TestTokens.sign(TestTokens.hs256(), b -> b.withExpiresAt(now.minusSeconds(2)))).statusCode())
                .isEqualTo(200);
    }

    @Test
    void hmacSignedWithThePublicKeyIsRefused() {
        // The classic confusion attack: HS256 keyed with the server's (public) RSA key bytes.
        String pem = TestTokens.pem(RSA.getPublic());
        serve(JwtAuth.publicKeyPem(pem).build());
        String forged = TestTokens.sign(Algorithm.HMAC256(pem.getBytes(StandardCharsets.US_ASCII)));
        assertInvalidToken(bearer(forged), "'HS256' is not allowed");
        assertThatThrownBy(() -> JwtAuth.publicKeyPem(pem).algorithms("HS256").build())
                .hasMessageContaining("JwtAuth.algorithms").hasMessageContaining("HS256");
    }

    @Test
    void missingScopeIs403InsufficientScope() {
        serve(hs().requireScopes("user/Observation.write").build());
        HttpResponse<String> r = bearer(TestTokens.sign(TestTokens.hs256()));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.headers().firstValue("WWW-Authenticate").orElseThrow())
                .contains("error=\"insufficient_scope\"").contains("scope=\"user/Observation.write\"");
        // scp as a list works as well
        assertThat(bearer(TestTokens.sign(TestTokens.hs256(), b -> b.withClaim("scope", (String) null)
                .withArrayClaim("scp", new String[] {"user/*.write"}))).statusCode()).isEqualTo(200);
    }

    @Test
    void jwksKeysRotateUnknownKidsAreRefusedAndRefreshIsRateLimited() throws Exception {
        AtomicReference<String> keys = new AtomicReference<>(set(TestTokens.rsaJwk("k1", (RSAPublicKey) RSA.getPublic())));
        AtomicInteger fetches = new AtomicInteger();
        idp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        idp.createContext("/jwks", ex -> {
            fetches.incrementAndGet();
            byte[] body = keys.get().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        idp.start();
        MutableClock clock = new MutableClock(Instant.now());
        serve(JwtAuth.jwks(URI.create("http://127.0.0.1:" + idp.getAddress().getPort() + "/jwks"))
                .issuer(TestTokens.ISSUER).jwksRefresh(Duration.ofMinutes(10), Duration.ofSeconds(30)).clock(clock)
                .build());
        assertThat(fetches.get()).isEqualTo(1);
        assertThat(bearer(TestTokens.sign(TestTokens.rs256(RSA), b -> b.withKeyId("k1"))).statusCode()).isEqualTo(200);

        // Unknown kid: one refetch, then refused; a second unknown kid right away does not refetch.
        assertInvalidToken(bearer(TestTokens.sign(TestTokens.rs256(OTHER_RSA), b -> b.withKeyId("k2"))), "unknown key id");
        assertInvalidToken(bearer(TestTokens.sign(TestTokens.rs256(OTHER_RSA), b -> b.withKeyId("k3"))), "unknown key id");
        assertThat(fetches.get()).isEqualTo(2);

        // The IdP rotates in k2 (and an EC key); after the minimum interval the new kid is fetched and accepted.
        keys.set(set(TestTokens.rsaJwk("k2", (RSAPublicKey) OTHER_RSA.getPublic()),
                TestTokens.ecJwk("e1", (ECPublicKey) EC.getPublic())));
        clock.advance(Duration.ofSeconds(31));
        assertThat(bearer(TestTokens.sign(TestTokens.rs256(OTHER_RSA), b -> b.withKeyId("k2"))).statusCode()).isEqualTo(200);
        assertThat(bearer(TestTokens.sign(TestTokens.es256(EC), b -> b.withKeyId("e1"))).statusCode()).isEqualTo(200);
        assertThat(fetches.get()).isEqualTo(3);

        // The IdP goes down: cached keys keep working even after the refresh interval.
        idp.stop(0);
        idp = null;
        clock.advance(Duration.ofMinutes(11));
        assertThat(bearer(TestTokens.sign(TestTokens.rs256(OTHER_RSA), b -> b.withKeyId("k2"))).statusCode()).isEqualTo(200);
    }

    @Test
    void onlyAnUnseenJwksTokenIsCheckedOffTheEventLoop() throws Exception {
        idp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] jwks = set(TestTokens.rsaJwk("k1", (RSAPublicKey) RSA.getPublic())).getBytes(StandardCharsets.UTF_8);
        idp.createContext("/jwks", ex -> {
            ex.sendResponseHeaders(200, jwks.length);
            ex.getResponseBody().write(jwks);
            ex.close();
        });
        idp.start();
        AtomicInteger handedOff = new AtomicInteger();
        Executor countingWorkers = task -> {
            handedOff.incrementAndGet();
            task.run();
        };
        AsyncBackend answer = request -> CompletableFuture.completedFuture(Response.ok());
        DirectFrontend in = DirectFrontend.speaking(Protocol.HTTP);
        JwtAuth viaJwks = JwtAuth.jwks(URI.create("http://127.0.0.1:" + idp.getAddress().getPort() + "/jwks"))
                .issuer(TestTokens.ISSUER).build();
        try (Pipeline p = Pipeline.builder().name("jwks").frontend(in).use(viaJwks).backend(answer).build()) {
            p.start();
            Request request = in.request("GET", "/Patient")
                    .header("Authorization", "Bearer " + TestTokens.sign(TestTokens.rs256(RSA), b -> b.withKeyId("k1")))
                    .build();

            assertThat(p.handleAsync(request, countingWorkers).toCompletableFuture().get(5, TimeUnit.SECONDS)
                    .status()).isEqualTo(200);
            assertThat(handedOff).as("a new token may need a key fetch: off the event loop").hasValue(1);
            assertThat(p.handleAsync(request, countingWorkers).toCompletableFuture().get(5, TimeUnit.SECONDS)
                    .status()).isEqualTo(200);
            assertThat(handedOff).as("a verified token is decided in place").hasValue(1);
        }
        try (Pipeline p = Pipeline.builder().name("hs").frontend(in).use(hs().build()).backend(answer).build()) {
            p.start();
            Request request = in.request("GET", "/Patient")
                    .header("Authorization", "Bearer " + TestTokens.sign(TestTokens.hs256())).build();
            assertThat(p.handleAsync(request, countingWorkers).toCompletableFuture().get(5, TimeUnit.SECONDS)
                    .status()).isEqualTo(200);
            assertThat(handedOff).as("static keys never wait").hasValue(1);
        }
    }

    @Test
    void aCachedVerifiedTokenStillExpires() {
        MutableClock clock = new MutableClock(Instant.now());
        serve(hs().leeway(Duration.ofSeconds(5)).clock(clock).build());
        String token = TestTokens.sign(TestTokens.hs256(), b -> b.withExpiresAt(clock.instant().plusSeconds(60)));
        assertThat(bearer(token).statusCode()).isEqualTo(200);
        assertThat(bearer(token).statusCode()).isEqualTo(200); // served from the verified-token cache
        clock.advance(Duration.ofSeconds(66));
        assertInvalidToken(bearer(token), "expired");
        assertThat(backend.count()).isEqualTo(2);
    }

    @Test
    void misconfigurationFailsAtBuildNamingTheOption() {
        assertThatThrownBy(() -> JwtAuth.hmacSecret("short")).hasMessageContaining("JwtAuth.hmacSecret");
        assertThatThrownBy(() -> JwtAuth.publicKeyPem("garbage")).hasMessageContaining("JwtAuth.publicKeyPem");
        assertThatThrownBy(() -> JwtAuth.jwks(URI.create("file:///etc/jwks"))).hasMessageContaining("JwtAuth.jwks");
        assertThatThrownBy(() -> hs().requireScopes("a b").build()).hasMessageContaining("JwtAuth.requireScopes");
        assertThat(hs().build().describe().detail()).contains("HS256").doesNotContain(TestTokens.SECRET);
    }

    private static String set(String... jwks) {
        return "{\"keys\":[" + String.join(",", jwks) + "]}";
    }

    private static String unsigned() {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        long exp = Instant.now().plusSeconds(3600).getEpochSecond();
        return b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(("{\"sub\":\"mallory\",\"iss\":\"" + TestTokens.ISSUER + "\",\"aud\":\""
                        + TestTokens.AUDIENCE + "\",\"exp\":" + exp + "}").getBytes(StandardCharsets.UTF_8)) + ".";
    }
}
