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
import java.net.Socket;
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
    void onlyATokenWaitingForAJwksFetchContinuesOffTheEventLoop() throws Exception {
        idp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        AtomicReference<String> keys = new AtomicReference<>(set(TestTokens.rsaJwk("k1", (RSAPublicKey) RSA.getPublic())));
        // the rotated set is held back until the request is decided, so its fetch cannot be done by then
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean holdBack = new java.util.concurrent.atomic.AtomicBoolean();
        idp.createContext("/jwks", ex -> {
            if (holdBack.get()) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] jwks = keys.get().getBytes(StandardCharsets.UTF_8);
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
            Request known = in.request("GET", "/Patient")
                    .header("Authorization", "Bearer " + TestTokens.sign(TestTokens.rs256(RSA), b -> b.withKeyId("k1")))
                    .build();
            assertThat(p.handleAsync(known, countingWorkers).toCompletableFuture().get(5, TimeUnit.SECONDS)
                    .status()).isEqualTo(200);
            assertThat(handedOff).as("a token with a cached key is decided in place").hasValue(0);

            keys.set(set(TestTokens.rsaJwk("k2", (RSAPublicKey) OTHER_RSA.getPublic())));
            Request rotated = in.request("GET", "/Patient")
                    .header("Authorization", "Bearer " + TestTokens.sign(TestTokens.rs256(OTHER_RSA), b -> b.withKeyId("k2")))
                    .build();
            holdBack.set(true);
            CompletableFuture<Response> waiting = p.handleAsync(rotated, countingWorkers).toCompletableFuture();
            assertThat(waiting).as("waits for the JWKS fetch").isNotDone();
            release.countDown();
            assertThat(waiting.get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
            assertThat(handedOff).as("after waiting for the fetch: continued on the executor").hasValue(1);
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
    void timeClaimsThatAreNullOrNotNumbersAre401() {
        serve(hs().build());
        long exp = Instant.now().plusSeconds(3600).getEpochSecond();
        String claims = "\"iss\":\"" + TestTokens.ISSUER + "\",\"aud\":\"" + TestTokens.AUDIENCE + "\",\"sub\":\"alice\"";
        assertInvalidToken(bearer(hs256("{\"alg\":\"HS256\"}", "{" + claims + ",\"exp\":null}")), "'exp' is not a NumericDate");
        assertInvalidToken(bearer(hs256("{\"alg\":\"HS256\"}", "{" + claims + ",\"exp\":" + exp + ",\"nbf\":null}")),
                "'nbf' is not a NumericDate");
        assertInvalidToken(bearer(hs256("{\"alg\":\"HS256\"}", "{" + claims + ",\"exp\":" + exp + ",\"iat\":null}")),
                "'iat' is not a NumericDate");
        for (String wrong : new String[] {"\"" + exp + "\"", "true", "[" + exp + "]", "{\"at\":" + exp + "}"}) {
            assertInvalidToken(bearer(hs256("{\"alg\":\"HS256\"}", "{" + claims + ",\"exp\":" + wrong + "}")),
                    "well-formed");
            assertInvalidToken(bearer(hs256("{\"alg\":\"HS256\"}", "{" + claims + ",\"exp\":" + exp + ",\"nbf\":" + wrong
                    + "}")), "well-formed");
            assertInvalidToken(bearer(hs256("{\"alg\":\"HS256\"}", "{" + claims + ",\"exp\":" + exp + ",\"iat\":" + wrong
                    + "}")), "well-formed");
        }
        assertThat(backend.count()).isZero();
        // The same token with a proper exp passes: what was refused above is the claim's type alone.
        assertThat(bearer(hs256("{\"alg\":\"HS256\"}", "{" + claims + ",\"exp\":" + exp + "}")).statusCode()).isEqualTo(200);
    }

    @Test
    void anyCritHeaderIs401BecauseWeUnderstandNoExtension() {
        serve(hs().build());
        long exp = Instant.now().plusSeconds(3600).getEpochSecond();
        String payload = "{\"iss\":\"" + TestTokens.ISSUER + "\",\"aud\":\"" + TestTokens.AUDIENCE + "\",\"exp\":" + exp + "}";
        assertInvalidToken(bearer(hs256("{\"alg\":\"HS256\",\"crit\":[\"exp-ext\"],\"exp-ext\":1}", payload)),
                "critical header 'exp-ext' is not understood");
        assertInvalidToken(bearer(hs256("{\"alg\":\"HS256\",\"crit\":[\"b64\"],\"b64\":false}", payload)),
                "critical header 'b64' is not understood");
        for (String bad : new String[] {"[]", "\"exp-ext\"", "[1]", "[\"\"]", "null", "{}", "[\"a\",null]"}) {
            assertInvalidToken(bearer(hs256("{\"alg\":\"HS256\",\"crit\":" + bad + "}", payload)),
                    "'crit' header must be a non-empty array of names");
        }
        assertThat(backend.count()).isZero();
        assertThat(bearer(hs256("{\"alg\":\"HS256\"}", payload)).statusCode()).isEqualTo(200);
    }

    @Test
    void twoAuthorizationHeadersAre400InvalidRequestAndNothingIsForwarded() throws Exception {
        serve(hs().build());
        String token = TestTokens.sign(TestTokens.hs256());
        for (String second : new String[] {"Bearer " + token, "Basic dXNlcjpwdw==", "Bearer " + TestTokens.sign(TestTokens.hs256(),
                b -> b.withSubject("mallory"))}) {
            String answer = raw("GET /Patient HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                    + "\r\nAuthorization: " + second + "\r\nConnection: close\r\n\r\n");
            assertThat(answer).startsWith("HTTP/1.1 400");
            assertThat(answer).containsPattern("(?i)www-authenticate: Bearer realm=\"harmony\", error=\"invalid_request\"");
            assertThat(answer).contains("more than one Authorization header");
        }
        assertThat(backend.count()).isZero();
        // One of them alone is fine: the refusal is about the count.
        assertThat(bearer(token).statusCode()).isEqualTo(200);
    }

    @Test
    void tokenContentNeverBreaksOrBloatsTheChallenge() throws Exception {
        idp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] jwks = set(TestTokens.rsaJwk("k1", (RSAPublicKey) RSA.getPublic())).getBytes(StandardCharsets.UTF_8);
        idp.createContext("/jwks", ex -> {
            ex.sendResponseHeaders(200, jwks.length);
            ex.getResponseBody().write(jwks);
            ex.close();
        });
        idp.start();
        serve(JwtAuth.jwks(URI.create("http://127.0.0.1:" + idp.getAddress().getPort() + "/jwks")).build());
        String hostile = "k\"\r\nX-Injected: yes\r\n\\\u00e9\u2028" + "x".repeat(10_000);
        long exp = Instant.now().plusSeconds(3600).getEpochSecond();
        String escaped = hostile.replace("\\", "\\\\").replace("\"", "\\\"").replace("\r", "\\r").replace("\n", "\\n");
        String badKid = TestTokens.sign(TestTokens.rs256(OTHER_RSA), b -> b.withKeyId(hostile));
        String badAlg = hs256("{\"alg\":\"" + escaped + "\"}", "{\"exp\":" + exp + "}");
        String badCrit = hs256("{\"alg\":\"HS256\",\"crit\":[\"" + escaped + "\"]}", "{\"exp\":" + exp + "}");
        for (String token : new String[] {badKid, badAlg, badCrit}) {
            String answer = raw("GET /Patient HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                    + "\r\nConnection: close\r\n\r\n");
            assertThat(answer).startsWith("HTTP/1.1 401");
            String head = answer.substring(0, answer.indexOf("\r\n\r\n"));
            assertThat(head.lines()).as("no header line injected").noneMatch(l -> l.regionMatches(true, 0, "X-Injected", 0, 10));
            String challenge = head.lines().filter(l -> l.regionMatches(true, 0, "WWW-Authenticate:", 0, 17))
                    .findFirst().orElseThrow();
            assertThat(challenge.length()).isLessThan(400);
            // auth-param = token "=" quoted-string (RFC 9110 11.2): every value a clean quoted-string
            assertThat(challenge).matches("(?i)WWW-Authenticate: Bearer realm=\"harmony\", error=\"invalid_token\", "
                    + "error_description=\"[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]*\"");
            assertThat(answer.length()).as("the body is bounded too").isLessThan(2_000);
        }
        assertThat(backend.count()).isZero();
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

    /** A token with exactly this header and payload JSON, HS256-signed with the test secret. */
    private static String hs256(String header, String payload) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String h = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8));
        String p = b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        return h + "." + p + "." + b64.encodeToString(TestTokens.hs256().sign(h.getBytes(StandardCharsets.US_ASCII),
                p.getBytes(StandardCharsets.US_ASCII)));
    }

    /** Sends {@code request} as it is over a raw socket and reads the whole answer (the request closes). */
    private String raw(String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", ingress.port())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static String unsigned() {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        long exp = Instant.now().plusSeconds(3600).getEpochSecond();
        return b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(("{\"sub\":\"mallory\",\"iss\":\"" + TestTokens.ISSUER + "\",\"aud\":\""
                        + TestTokens.AUDIENCE + "\",\"exp\":" + exp + "}").getBytes(StandardCharsets.UTF_8)) + ".";
    }
}
