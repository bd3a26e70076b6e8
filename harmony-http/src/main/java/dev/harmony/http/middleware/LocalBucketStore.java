package dev.harmony.http.middleware;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.local.LocalBucketBuilder;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * In-process buckets in a bounded, access-ordered map, so a flood of distinct keys cannot exhaust
 * memory. A bucket idle for longer than it takes to refill completely is indistinguishable from a new
 * one, so it is evicted first; beyond {@code maxKeys} the least recently used goes.
 */
final class LocalBucketStore implements BucketStore {
    private record Entry(Bucket bucket, long lastUsedNanos, long idleNanos) {
    }

    private final int maxKeys;
    private final LinkedHashMap<String, Entry> buckets;

    LocalBucketStore(int maxKeys) {
        if (maxKeys < 1) {
            throw new IllegalArgumentException("RateLimit.maxKeys must be >= 1, got " + maxKeys);
        }
        this.maxKeys = maxKeys;
        this.buckets = new LinkedHashMap<>(1024, 0.75f, true);
    }

    @Override
    public boolean mayBlock() {
        return false; // a short lock, no I/O
    }

    @Override
    public synchronized Bucket bucket(String key, BucketConfiguration configuration, TimeMeter time) {
        long now = time.currentTimeNanos();
        Entry e = buckets.get(key);
        if (e == null) {
            evictIdle(now);
            if (buckets.size() >= maxKeys) {
                Iterator<String> eldest = buckets.keySet().iterator();
                eldest.next();
                eldest.remove();
            }
            LocalBucketBuilder b = Bucket.builder().withCustomTimePrecision(time);
            long idle = 0;
            for (Bandwidth bw : configuration.getBandwidths()) {
                b.addLimit(bw);
                idle = Math.max(idle, fullRefillNanos(bw));
            }
            e = new Entry(b.build(), now, idle);
        } else {
            e = new Entry(e.bucket(), now, e.idleNanos());
        }
        buckets.put(key, e);
        return e.bucket();
    }

    /** How many keys are tracked now (tests, metrics). */
    synchronized int size() {
        return buckets.size();
    }

    private void evictIdle(long now) {
        Iterator<Map.Entry<String, Entry>> it = buckets.entrySet().iterator();
        while (it.hasNext()) {
            Entry e = it.next().getValue();
            if (now - e.lastUsedNanos() <= e.idleNanos()) {
                break; // access order: everything after this was used more recently
            }
            it.remove();
        }
    }

    private static long fullRefillNanos(Bandwidth bw) {
        double perToken = (double) bw.getRefillPeriodNanos() / bw.getRefillTokens();
        return (long) Math.ceil(perToken * bw.getCapacity());
    }
}
