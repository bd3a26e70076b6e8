package dev.harmony.http.middleware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.harmony.http.Loopback;
import dev.harmony.http.frontend.HttpIngress;
import dev.harmony.message.Protocol;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.AsyncBackend;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.pipeline.Rejection;
import dev.harmony.testing.DirectFrontend;
import dev.harmony.testing.RecordingBackend;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TimeMeter;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The rate limit behind a real HTTP ingress, with a hand-moved clock instead of sleeping. */
class RateLimitTest {

    /** A bucket4j time source tests advance by hand. */
    static final class ManualTime implements TimeMeter {
        private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

        void advance(Duration d) {
            nanos.addAndGet(d.toNanos());
        }

        @Override
        public long currentTimeNanos() {
            return nanos.get();
        }

        @Override
        public boolean isWallClockBased() {
            return false;
        }
    }

    @Test
    void exactlyTheLimitPassesPerKeyThenTooManyRequestsWithHeaders() {
        ManualTime time = new ManualTime();
        RecordingBackend backend = RecordingBackend.answering(Response.ok());
        HttpIngress ingress = HttpIngress.port(0).bind("127.0.0.1").build();
        RateLimit limit = RateLimit.perMinute(100).keyedBy(RateLimitKey.header("X-API-Key")).timeMeter(time).build();
        try (Pipeline p = Pipeline.builder().name("limited").frontend(ingress).use(limit).backend(backend).build()) {
            p.start();
            for (int i = 1; i <= 100; i++) {
                HttpResponse<String> r = Loopback.get(ingress.port(), "/x", "X-API-Key", "alpha");
                assertThat(r.statusCode()).as("request %d", i).isEqualTo(200);
                assertThat(r.headers().firstValue("RateLimit-Limit")).contains("100");
                assertThat(r.headers().firstValue("RateLimit-Remaining")).contains(Integer.toString(100 - i));
            }
            HttpResponse<String> over = Loopback.get(ingress.port(), "/x", "X-API-Key", "alpha");
            assertThat(over.statusCode()).isEqualTo(429);
            assertThat(over.headers().firstValue("Retry-After")).contains("1"); // one token refills in 0.6 s
            assertThat(over.headers().firstValue("RateLimit-Limit")).contains("100");
            assertThat(over.headers().firstValue("RateLimit-Remaining")).contains("0");
            assertThat(over.headers().firstValue("RateLimit-Reset")).contains("60");
            assertThat(over.headers().firstValue("RateLimit-Policy")).contains("100;w=60");
            assertThat(over.body()).contains("too_many_requests");
            assertThat(backend.count()).isEqualTo(100);

            // Another key has its own bucket.
            assertThat(Loopback.get(ingress.port(), "/x", "X-API-Key", "beta").statusCode()).isEqualTo(200);
            // Without the header the remote address is the key, also separate.
            assertThat(Loopback.get(ingress.port(), "/x").statusCode()).isEqualTo(200);

            // After a minute the bucket is full again: another 100, not more.
            time.advance(Duration.ofMinutes(1));
            for (int i = 0; i < 100; i++) {
                assertThat(Loopback.get(ingress.port(), "/x", "X-API-Key", "alpha").statusCode()).isEqualTo(200);
            }
            assertThat(Loopback.get(ingress.port(), "/x", "X-API-Key", "alpha").statusCode()).isEqualTo(429);
        }
    }

    @Test
    void burstAllowsMoreAtOnceButRefillsAtTheRate() {
        ManualTime time = new ManualTime();
        RateLimit limit = RateLimit.perSecond(1).burst(3).timeMeter(time).build();
        HttpIngress ingress = HttpIngress.port(0).bind("127.0.0.1").build();
        try (Pipeline p = Pipeline.builder().name("burst").frontend(ingress).use(limit)
                .backend(RecordingBackend.answering(Response.ok())).build()) {
            p.start();
            for (int i = 0; i < 3; i++) {
                assertThat(Loopback.get(ingress.port(), "/").statusCode()).isEqualTo(200);
            }
            assertThat(Loopback.get(ingress.port(), "/").statusCode()).isEqualTo(429);
            time.advance(Duration.ofSeconds(1));
            assertThat(Loopback.get(ingress.port(), "/").statusCode()).isEqualTo(200);
            assertThat(Loopback.get(ingress.port(), "/").statusCode()).isEqualTo(429);
        }
        assertThat(limit.describe().detail()).isEqualTo("1 req/s, burst 3");
        assertThat(RateLimit.perMinute(100).build().describe().detail()).isEqualTo("100 req/min");
    }

    @Test
    void localStoreStaysBoundedUnderAFloodOfKeys() {
        ManualTime time = new ManualTime();
        LocalBucketStore store = new LocalBucketStore(1000);
        BucketConfiguration config = BucketConfiguration.builder()
                .addLimit(l -> l.capacity(10).refillGreedy(10, Duration.ofMinutes(1))).build();
        for (int i = 0; i < 50_000; i++) {
            store.bucket("k" + i, config, time).tryConsume(1);
        }
        assertThat(store.size()).isEqualTo(1000);

        // A bucket idle for longer than a full refill is dropped when new keys arrive.
        time.advance(Duration.ofMinutes(2));
        store.bucket("fresh", config, time);
        assertThat(store.size()).isEqualTo(1);
    }

    @Test
    void aSharedStoreIsAskedOffTheEventLoopTheLocalOneInPlace() throws Exception {
        AtomicLong handedOff = new AtomicLong();
        Executor countingWorkers = task -> {
            handedOff.incrementAndGet();
            task.run();
        };
        LocalBucketStore buckets = new LocalBucketStore(100);
        BucketStore remote = (key, configuration, time) -> buckets.bucket(key, configuration, time); // mayBlock: true
        AsyncBackend answer = request -> CompletableFuture.completedFuture(Response.ok());
        DirectFrontend in = DirectFrontend.speaking(Protocol.HTTP);
        for (BucketStore store : new BucketStore[] {BucketStore.local(100), remote}) {
            try (Pipeline p = Pipeline.builder().name("limited").frontend(in)
                    .use(RateLimit.perMinute(1).store(store).build()).backend(answer).build()) {
                p.start();
                Request request = in.request("GET", "/Patient").build();
                assertThat(p.handleAsync(request, countingWorkers).toCompletableFuture().get(5, TimeUnit.SECONDS)
                        .headers().first("RateLimit-Remaining")).contains("0");
                assertThat(p.handleAsync(request, countingWorkers).toCompletableFuture().get(5, TimeUnit.SECONDS)
                        .rejection()).hasValueSatisfying(r -> assertThat(r.kind()).isEqualTo(Rejection.Kind.TOO_MANY_REQUESTS));
            }
        }
        assertThat(handedOff).as("two requests through the shared store, none through the local one").hasValue(2);
    }

    @Test
    void misconfigurationNamesTheOption() {
        assertThatThrownBy(() -> RateLimit.perMinute(0).build()).hasMessageContaining("RateLimit");
        assertThatThrownBy(() -> RateLimit.perMinute(10).burst(0).build()).hasMessageContaining("RateLimit.burst");
        assertThatThrownBy(() -> RateLimit.perMinute(10).maxKeys(0).build()).hasMessageContaining("RateLimit.maxKeys");
    }
}
