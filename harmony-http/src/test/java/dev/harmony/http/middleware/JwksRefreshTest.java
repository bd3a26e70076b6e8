package dev.harmony.http.middleware;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.harmony.http.Loopback;
import dev.harmony.http.TestTokens;
import dev.harmony.http.frontend.HttpIngress;
import dev.harmony.message.Protocol;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.AsyncBackend;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.testing.DirectFrontend;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * JWKS fetches against a real loopback IdP that stalls or fails: cached keys are never delayed, an
 * unknown {@code kid} causes one fetch however many tokens carry it, and while the IdP fails unknown
 * kids are answered 503 at once. Waits are bounded; the stalled fetch's timeout is far longer than any
 * client timeout here, so a request that waited for it would fail the test instead of passing late.
 */
class JwksRefreshTest {
    private static final KeyPair RSA = TestTokens.rsa();
    private static final KeyPair ROTATED = TestTokens.rsa();

    private final AtomicReference<String> keys =
            new AtomicReference<>(set(TestTokens.rsaJwk("k1", (RSAPublicKey) RSA.getPublic())));
    private final AtomicInteger fetches = new AtomicInteger();
    private final AtomicInteger failWith = new AtomicInteger(); // 0: answer the key set
    private volatile CountDownLatch gate = new CountDownLatch(0); // closed: fetches stall until opened
    private volatile CountDownLatch entered = new CountDownLatch(0);
    private final ExecutorService idpThreads = Executors.newCachedThreadPool();
    private HttpServer idp;
    private Pipeline pipeline;
    private HttpIngress ingress;

    @AfterEach
    void stop() {
        gate.countDown();
        if (pipeline != null) {
            pipeline.close();
        }
        if (idp != null) {
            idp.stop(0);
        }
        idpThreads.shutdownNow();
    }

    private URI startIdp() throws Exception {
        idp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        idp.setExecutor(idpThreads);
        idp.createContext("/jwks", ex -> {
            fetches.incrementAndGet();
            entered.countDown();
            try {
                if (!gate.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never opened the gate");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            int status = failWith.get();
            byte[] body = (status == 0 ? keys.get() : "{\"error\":\"down\"}").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status == 0 ? 200 : status, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        idp.start();
        return URI.create("http://127.0.0.1:" + idp.getAddress().getPort() + "/jwks");
    }

    private JwtAuth.Builder guard(URI jwks, MutableClock clock, Duration minRefresh) {
        return JwtAuth.jwks(jwks).issuer(TestTokens.ISSUER).clock(clock)
                .jwksRefresh(Duration.ofMinutes(10), minRefresh)
                .jwksFetchTimeout(Duration.ofSeconds(120)); // longer than any wait below: waiting for it fails
    }

    private void serve(JwtAuth guard) {
        ingress = HttpIngress.port(0).bind("127.0.0.1").build();
        AsyncBackend ok = request -> CompletableFuture.completedFuture(Response.ok());
        pipeline = Pipeline.builder().name("jwks").frontend(ingress).use(guard).backend(ok).build();
        pipeline.start();
    }

    /** A fresh token (a distinct jti each time, so the verified-token cache never answers for it). */
    private static String token(KeyPair key, String kid) {
        return TestTokens.sign(TestTokens.rs256(key), b -> b.withKeyId(kid).withJWTId(java.util.UUID.randomUUID().toString()));
    }

    private HttpResponse<String> call(String token) {
        return Loopback.get(ingress.port(), "/Patient", "Authorization", "Bearer " + token);
    }

    private void stallFetches() {
        gate = new CountDownLatch(1);
        entered = new CountDownLatch(1);
    }

    @Test
    void cachedKeysAreNotDelayedWhileTheIdpStalls() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        serve(guard(startIdp(), clock, Duration.ofSeconds(30)).build());
        assertThat(fetches).hasValue(1);

        // The key set is old: the next token starts a refresh, and the IdP stalls on it.
        stallFetches();
        clock.advance(Duration.ofMinutes(11));
        assertThat(call(token(RSA, "k1")).statusCode()).isEqualTo(200);
        assertThat(entered.await(20, TimeUnit.SECONDS)).as("the periodic refresh reached the IdP").isTrue();

        // An unknown kid joins that stalled fetch; meanwhile tokens with cached keys keep passing.
        CompletableFuture<HttpResponse<String>> waiting = Loopback.client().sendAsync(
                Loopback.request(ingress.port(), "/Patient").header("Authorization", "Bearer " + token(ROTATED, "k2"))
                        .GET().build(), HttpResponse.BodyHandlers.ofString());
        for (int i = 0; i < 5; i++) {
            assertThat(call(token(RSA, "k1")).statusCode()).isEqualTo(200);
        }
        assertThat(waiting).isNotDone();
        assertThat(fetches).as("still the one stalled fetch").hasValue(2);

        // The IdP answers with the rotated key: the waiting token is verified against it.
        keys.set(set(TestTokens.rsaJwk("k2", (RSAPublicKey) ROTATED.getPublic())));
        gate.countDown();
        assertThat(waiting.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(fetches).hasValue(2);
    }

    @Test
    void concurrentUnknownKidsCauseExactlyOneFetchAndNoThreadWaits() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        // No minimum interval: only the single flight keeps this to one fetch.
        JwtAuth viaJwks = guard(startIdp(), clock, Duration.ZERO).build();
        DirectFrontend in = DirectFrontend.speaking(Protocol.HTTP);
        AsyncBackend ok = request -> CompletableFuture.completedFuture(Response.ok());
        try (Pipeline p = Pipeline.builder().name("jwks-direct").frontend(in).use(viaJwks).backend(ok).build()) {
            p.start();
            assertThat(fetches).hasValue(1);
            stallFetches();
            ExecutorService workers = Executors.newFixedThreadPool(2);
            try {
                List<CompletableFuture<Response>> answers = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    Request r = in.request("GET", "/Patient").header("Authorization", "Bearer " + token(ROTATED, "k2"))
                            .build();
                    // handleAsync returns at once on this thread although the IdP has not answered
                    answers.add(p.handleAsync(r, workers).toCompletableFuture());
                }
                assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();
                assertThat(answers).noneMatch(CompletableFuture::isDone);
                Request known = in.request("GET", "/Patient").header("Authorization", "Bearer " + token(RSA, "k1")).build();
                assertThat(p.handleAsync(known, workers).toCompletableFuture().get(20, TimeUnit.SECONDS).status())
                        .as("a cached key while the fetch stalls").isEqualTo(200);

                keys.set(set(TestTokens.rsaJwk("k2", (RSAPublicKey) ROTATED.getPublic())));
                gate.countDown();
                for (CompletableFuture<Response> a : answers) {
                    assertThat(a.get(20, TimeUnit.SECONDS).status()).isEqualTo(200);
                }
                assertThat(fetches).as("twenty unknown-kid tokens, one fetch").hasValue(2);
            } finally {
                workers.shutdownNow();
            }
        }
    }

    @Test
    void concurrentUnknownKidsOverHttpShareOneFetch() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        serve(guard(startIdp(), clock, Duration.ZERO).build());
        stallFetches();
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            answers.add(Loopback.client().sendAsync(Loopback.request(ingress.port(), "/Patient")
                    .header("Authorization", "Bearer " + token(ROTATED, "k2")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        assertThat(entered.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(call(token(RSA, "k1")).statusCode()).isEqualTo(200);
        keys.set(set(TestTokens.rsaJwk("k2", (RSAPublicKey) ROTATED.getPublic())));
        gate.countDown();
        for (CompletableFuture<HttpResponse<String>> a : answers) {
            assertThat(a.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
        // Requests that arrived after the fetch found k2 cached; those before it joined it.
        assertThat(fetches).hasValue(2);
    }

    @Test
    void whileTheIdpFailsUnknownKidsGet503AtOnceAndCachedKeysStillWork() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        serve(guard(startIdp(), clock, Duration.ofSeconds(30)).build());
        failWith.set(500);

        // Unknown kid: one fetch, it fails: 503 with Retry-After, no challenge (the token may be fine).
        HttpResponse<String> r = call(token(ROTATED, "k2"));
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
        assertThat(r.headers().firstValue("WWW-Authenticate")).isEmpty();
        assertThat(r.body()).contains("key set cannot be fetched").contains("HTTP 500");
        assertThat(fetches).hasValue(2);

        // Within the minimum interval: answered at once, the IdP is not asked again.
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> again = call(token(ROTATED, "k" + (3 + i)));
            assertThat(again.statusCode()).isEqualTo(503);
            assertThat(again.headers().firstValue("Retry-After")).contains("30");
        }
        assertThat(fetches).hasValue(2);
        assertThat(call(token(RSA, "k1")).statusCode()).as("cached keys keep working").isEqualTo(200);

        // The IdP recovers and rotates; after the interval the new key is fetched and accepted.
        failWith.set(0);
        keys.set(set(TestTokens.rsaJwk("k2", (RSAPublicKey) ROTATED.getPublic())));
        clock.advance(Duration.ofSeconds(31));
        assertThat(call(token(ROTATED, "k2")).statusCode()).isEqualTo(200);
        assertThat(fetches).hasValue(3);
        // A kid the working IdP does not know is the token's fault again: 401.
        assertThat(call(token(ROTATED, "nope")).statusCode()).isEqualTo(401);
    }

    @Test
    void anIdpThatNeverAnsweredAtStartGives503NotAnUnknownKey() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        failWith.set(503);
        serve(guard(startIdp(), clock, Duration.ofSeconds(30)).build());
        HttpResponse<String> r = call(token(RSA, "k1"));
        assertThat(r.statusCode()).isEqualTo(503);
        failWith.set(0);
        clock.advance(Duration.ofSeconds(31));
        assertThat(call(token(RSA, "k1")).statusCode()).isEqualTo(200);
    }

    @Test
    void aRestartedGuardFetchesAgain() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        serve(guard(startIdp(), clock, Duration.ofSeconds(30)).build());
        assertThat(call(token(RSA, "k1")).statusCode()).isEqualTo(200);
        pipeline.stop();
        keys.set(set(TestTokens.rsaJwk("k2", (RSAPublicKey) ROTATED.getPublic())));
        pipeline.start();
        assertThat(fetches).as("fetched at each start").hasValue(2);
        assertThat(call(token(ROTATED, "k2")).statusCode()).isEqualTo(200);
    }

    @Test
    void aBigChunkedKeySetIsReadOffTheEventLoopAndAnOversizedOneIsRefused() throws Exception {
        // JWKS URL with a query string; chunked answers (length 0), one of 200 KiB, one of 1.5 MiB
        AtomicReference<String> query = new AtomicReference<>();
        AtomicInteger padding = new AtomicInteger(200 * 1024);
        idp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        idp.setExecutor(idpThreads);
        idp.createContext("/realms/x/certs", ex -> {
            fetches.incrementAndGet();
            query.set(ex.getRequestURI().getRawQuery());
            String k = TestTokens.rsaJwk("k" + fetches.get(), (RSAPublicKey) (fetches.get() == 1 ? RSA : ROTATED).getPublic());
            byte[] body = ("{\"keys\":[" + k + "]," + "\"pad\":\"" + "x".repeat(padding.get()) + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, 0); // chunked
            ex.getResponseBody().write(body);
            ex.close();
        });
        idp.start();
        URI jwks = URI.create("http://127.0.0.1:" + idp.getAddress().getPort() + "/realms/x/certs?v=2&a=b");
        MutableClock clock = new MutableClock(Instant.now());
        serve(guard(jwks, clock, Duration.ofSeconds(30)).build());
        assertThat(query).hasValue("v=2&a=b");
        assertThat(call(token(RSA, "k1")).statusCode()).as("200 KiB set, streamed").isEqualTo(200);

        padding.set(1536 * 1024); // over the 1 MiB limit: refused, the cached key stays in use
        clock.advance(Duration.ofSeconds(31));
        HttpResponse<String> r = call(token(ROTATED, "k2"));
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("key set larger than");
        assertThat(fetches).hasValue(2);
        assertThat(call(token(RSA, "k1")).statusCode()).isEqualTo(200);
    }

    private static String set(String... jwks) {
        return "{\"keys\":[" + String.join(",", jwks) + "]}";
    }
}
