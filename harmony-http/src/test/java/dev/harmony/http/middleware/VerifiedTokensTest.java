package dev.harmony.http.middleware;

import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import dev.harmony.http.Scopes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerifiedTokensTest {
    private final Clock clock = Clock.fixed(Instant.parse("2026-11-26T10:00:00Z"), ZoneOffset.UTC);

    private VerifiedTokens.Verified verified() {
        String token = JWT.create().withSubject("a").withExpiresAt(clock.instant().plus(Duration.ofHours(1)))
                .sign(Algorithm.HMAC256("secret-secret-secret-secret-32b"));
        return new VerifiedTokens.Verified(JWT.decode(token), Scopes.of(List.of()), null);
    }

    @Test
    void onlyTheWholeValueHitsEvenWhenTwoValuesEndAlike() {
        VerifiedTokens cache = new VerifiedTokens(100, Duration.ofMinutes(1), Duration.ZERO, clock);
        String tail = "x".repeat(40); // longer than the part the key hashes
        VerifiedTokens.Verified v = verified();

        cache.put("Bearer aaa." + tail, v);

        assertThat(cache.get("Bearer aaa." + tail)).isSameAs(v);
        assertThat(cache.get("Bearer bbb." + tail)).isNull();
        assertThat(cache.get("Bearer aa." + tail)).isNull();
        assertThat(cache.get(tail)).isNull();
    }
}
