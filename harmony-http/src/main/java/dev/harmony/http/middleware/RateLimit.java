package dev.harmony.http.middleware;

import dev.harmony.message.Headers;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.AsyncMiddleware;
import dev.harmony.pipeline.Rejection;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A token-bucket rate limit per key (bucket4j): {@code limit} requests per period, refilled steadily,
 * with an optional larger burst capacity. Over the limit: 429 with {@code Retry-After}; every answer
 * carries {@code RateLimit-Limit}, {@code RateLimit-Remaining} and {@code RateLimit-Reset} (seconds until
 * the bucket is full again) and {@code RateLimit-Policy}.
 *
 * <pre>{@code
 * RateLimit.perMinute(100).burst(20).keyedBy(RateLimitKey.jwtSubject()).build()
 * }</pre>
 *
 * Options go on the {@link Builder}; the built limit is immutable. Buckets live in a {@link BucketStore} (default:
 * in-process, at most 100 000 keys).
 */
public final class RateLimit implements AsyncMiddleware {
    private final long limit;
    private final Duration period;
    private final long capacity;
    private final RateLimitKey key;
    private final BucketStore store;
    private final TimeMeter time;
    private final BucketConfiguration configuration;
    private final String policy;
    private final String limitHeader;

    private RateLimit(long limit, Duration period, long capacity, RateLimitKey key, BucketStore store, TimeMeter time) {
        if (limit < 1) {
            throw new IllegalArgumentException("RateLimit: the limit must be >= 1, got " + limit);
        }
        if (period == null || period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("RateLimit: the period must be positive, got " + period);
        }
        if (capacity < 1) {
            throw new IllegalArgumentException("RateLimit.burst must be >= 1, got " + capacity);
        }
        this.limit = limit;
        this.period = period;
        this.capacity = capacity;
        this.key = Objects.requireNonNull(key, "RateLimit.keyedBy");
        this.store = Objects.requireNonNull(store, "RateLimit.store");
        this.time = Objects.requireNonNull(time, "RateLimit.timeMeter");
        this.configuration = BucketConfiguration.builder()
                .addLimit(l -> l.capacity(capacity).refillGreedy(limit, period))
                .build();
        this.limitHeader = Long.toString(capacity);
        this.policy = limit + ";w=" + Math.max(1, period.toSeconds()) + (capacity != limit ? ";burst=" + capacity : "");
    }

    /** {@code requests} per minute per key. */
    public static Builder perMinute(long requests) {
        return of(requests, Duration.ofMinutes(1));
    }

    /** {@code requests} per second per key. */
    public static Builder perSecond(long requests) {
        return of(requests, Duration.ofSeconds(1));
    }

    /** {@code requests} per {@code period} per key; the bucket holds {@code requests} tokens unless {@link Builder#burst} says otherwise. */
    public static Builder of(long requests, Duration period) {
        return new Builder(requests, period);
    }

    /** Options of a {@link RateLimit}; {@link #build()} makes the stage. */
    public static final class Builder {
        private final long limit;
        private final Duration period;
        private Long capacity;
        private RateLimitKey key = RateLimitKey.remoteAddress();
        private BucketStore store;
        private TimeMeter time = TimeMeter.SYSTEM_NANOTIME;

        private Builder(long limit, Duration period) {
            this.limit = limit;
            this.period = period;
        }

        /** The bucket capacity: how many requests a rested client may send at once. */
        public Builder burst(long maxBurst) {
            this.capacity = maxBurst;
            return this;
        }

        /** What to count per (default: the remote address). */
        public Builder keyedBy(RateLimitKey by) {
            this.key = by;
            return this;
        }

        /** The most keys the in-process store tracks (default 100 000). Replaces the store with a local one. */
        public Builder maxKeys(int keys) {
            this.store = BucketStore.local(keys);
            return this;
        }

        /** Where buckets live, e.g. a shared store over bucket4j-redis. */
        public Builder store(BucketStore buckets) {
            this.store = buckets;
            return this;
        }

        /** The time source (tests inject a manual one instead of sleeping). */
        public Builder timeMeter(TimeMeter clock) {
            this.time = clock;
            return this;
        }

        /** The limit with these options. */
        public RateLimit build() {
            return new RateLimit(limit, period, capacity == null ? limit : capacity, key,
                    store == null ? BucketStore.local(100_000) : store, time);
        }
    }

    @Override
    public CompletionStage<Response> intercept(AsyncChain chain) {
        if (store.mayBlock()) { // a shared store answers over the network: not on the event loop
            return CompletableFuture.supplyAsync(() -> take(chain.request()), chain.blockingExecutor())
                    .thenCompose(probe -> decide(chain, probe));
        }
        return decide(chain, take(chain.request()));
    }

    /** Takes one token from the caller's bucket. */
    private ConsumptionProbe take(Request request) {
        String k = key.keyOf(request);
        Bucket bucket = store.bucket(k == null ? "none" : k, configuration, time);
        return bucket.tryConsumeAndReturnRemaining(1);
    }

    private CompletionStage<Response> decide(AsyncChain chain, ConsumptionProbe probe) {
        if (!probe.isConsumed()) {
            Duration wait = Duration.ofNanos(probe.getNanosToWaitForRefill());
            return CompletableFuture.completedFuture(Response.rejected(Rejection.tooManyRequests("rate limit of "
                    + describe().detail() + " exceeded; retry in " + seconds(wait.toNanos()) + " s", wait)
                    .withReason("rate_limited")
                    .withHeaders(headers(Headers.empty().toBuilder(), probe).build())));
        }
        return chain.proceed(chain.request())
                .thenApply(response -> response.withHeaders(headers(response.headers().toBuilder(), probe).build()));
    }

    private Headers.Builder headers(Headers.Builder b, ConsumptionProbe probe) {
        return b.set("RateLimit-Limit", limitHeader)
                .set("RateLimit-Remaining", Long.toString(Math.max(0, probe.getRemainingTokens())))
                .set("RateLimit-Reset", Long.toString(seconds(probe.getNanosToWaitForReset())))
                .set("RateLimit-Policy", policy);
    }

    private static long seconds(long nanos) {
        return nanos <= 0 ? 0 : (nanos + 999_999_999L) / 1_000_000_000L;
    }

    @Override
    public Description describe() {
        String unit = period.equals(Duration.ofMinutes(1)) ? "min" : period.equals(Duration.ofSeconds(1)) ? "s"
                : period.equals(Duration.ofHours(1)) ? "h" : period.toSeconds() + " s";
        return new Description("Rate Limit", limit + " req/" + unit + (capacity != limit ? ", burst " + capacity : ""));
    }
}
