package dev.harmony.http.middleware;

import com.auth0.jwt.interfaces.DecodedJWT;
import dev.harmony.http.Scopes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tokens whose signature and claims already passed, so a client reusing its token (the normal case)
 * costs one lookup instead of a decode, a MAC or signature check and the claim checks. The key is the
 * whole {@code Authorization} value, token and signature included, so nothing unverified can hit. An entry lives until the token
 * expires (or becomes valid later than now, which never happens for a verified token) but at most
 * {@code ttl}, after which the token is verified again (e.g. against a rotated key set). Bounded: when
 * full, the cache is emptied (cheap, and a flood of distinct valid tokens is not a realistic attack).
 */
final class VerifiedTokens {
    /** A verified token with what is read from it for every request: its scopes and client id (or null). */
    record Verified(DecodedJWT jwt, Scopes scopes, String clientId) {
    }

    /** A verified token and until when it may be trusted without re-verification. */
    private record Entry(Verified token, long trustUntilMillis) {
    }

    /**
     * The whole Authorization value as key, hashed over its end only: the value arrives as a new String
     * with every request, and String.hashCode over a few hundred characters cost more than the rest of a
     * cache hit. A token ends in its signature, which differs between any two tokens; equality still
     * compares everything.
     */
    private record Key(String value) {
        private static final int HASHED = 24;

        @Override
        public int hashCode() {
            int h = value.length();
            for (int i = Math.max(0, value.length() - HASHED); i < value.length(); i++) {
                h = 31 * h + value.charAt(i);
            }
            return h;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.value.equals(value);
        }
    }

    private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();
    private final int maxEntries;
    private final Duration ttl;
    private final Duration leeway;
    private final Clock clock;

    VerifiedTokens(int maxEntries, Duration ttl, Duration leeway, Clock clock) {
        this.maxEntries = maxEntries;
        this.ttl = ttl;
        this.leeway = leeway;
        this.clock = clock;
    }

    /** The verified token, or null if unknown or no longer trustworthy without re-verification. */
    Verified get(String token) {
        if (maxEntries == 0) {
            return null;
        }
        Key key = new Key(token);
        Entry e = entries.get(key);
        if (e == null) {
            return null;
        }
        if (clock.millis() > e.trustUntilMillis()) {
            entries.remove(key, e);
            return null;
        }
        return e.token();
    }

    void put(String token, Verified verified) {
        if (maxEntries == 0) {
            return;
        }
        Instant until = clock.instant().plus(ttl);
        Date exp = verified.jwt().getExpiresAt();
        if (exp != null) {
            Instant expiry = exp.toInstant().plus(leeway);
            if (expiry.isBefore(until)) {
                until = expiry;
            }
        }
        if (entries.size() >= maxEntries) {
            entries.clear();
        }
        entries.put(new Key(token), new Entry(verified, until.toEpochMilli()));
    }
}
