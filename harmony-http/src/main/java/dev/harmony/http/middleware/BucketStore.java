package dev.harmony.http.middleware;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TimeMeter;

/**
 * Where a {@link RateLimit} keeps its per-key token buckets. The default is in this process
 * ({@link #local(int)}); to share limits between several instances, implement this over a bucket4j
 * {@code ProxyManager} (e.g. bucket4j-redis: {@code proxyManager.builder().build(key, () -> configuration)})
 * and pass it to {@link RateLimit.Builder#store(BucketStore)}; pipelines do not change.
 */
@FunctionalInterface
public interface BucketStore {

    /** The bucket for {@code key}, created with {@code configuration} if it does not exist yet. */
    Bucket bucket(String key, BucketConfiguration configuration, TimeMeter time);

    /**
     * True if {@link #bucket} or consuming from its buckets may wait on the network (a shared store):
     * then the rate limit runs it off the frontend's event loop. Only the in-process store says false.
     */
    default boolean mayBlock() {
        return true;
    }

    /**
     * Buckets in this JVM, at most {@code maxKeys} of them: least recently used ones are dropped first,
     * and idle ones as soon as they would have refilled completely anyway (dropping them changes nothing).
     */
    static BucketStore local(int maxKeys) {
        return new LocalBucketStore(maxKeys);
    }
}
