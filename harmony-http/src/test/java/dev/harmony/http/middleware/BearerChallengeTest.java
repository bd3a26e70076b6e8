package dev.harmony.http.middleware;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.pipeline.Rejection;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The challenge texts: token content stays short and printable, every value a valid quoted-string. */
class BearerChallengeTest {
    /** RFC 9110 quoted-string content without quoted-pairs: what we promise to emit. */
    private static final String QDTEXT = "[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]*";

    @Test
    void tokenTextIsCutAndCleaned() {
        assertThat(TokenText.shown("k1")).isEqualTo("k1");
        assertThat(TokenText.shown(null)).isEqualTo("null");
        assertThat(TokenText.shown("a\"b\\c\r\nd\u00e9\u0000")).isEqualTo("a?b?c??d??");
        String cut = TokenText.shown("x".repeat(TokenText.MAX + 1));
        assertThat(cut).hasSize(TokenText.MAX + 3).endsWith("...");
        assertThat(TokenText.shown("y".repeat(TokenText.MAX))).hasSize(TokenText.MAX);
    }

    @Test
    void everyChallengeIsWellFormedWhateverItQuotes() {
        String hostile = "\"\r\n\\\u00ff" + "z".repeat(5_000);
        for (Rejection r : new Rejection[] {BearerChallenge.missing(hostile), BearerChallenge.invalidToken(hostile, hostile),
                BearerChallenge.invalidRequest(hostile, hostile), BearerChallenge.insufficientScope(hostile, hostile)}) {
            String header = r.headers().first("WWW-Authenticate").orElseThrow();
            assertThat(header).matches("Bearer realm=\"" + QDTEXT + "\"(, [a-z_]+=\"" + QDTEXT + "\")*");
            assertThat(header.length()).isLessThan(4 * (BearerChallenge.MAX_DESCRIPTION + 40));
            assertThat(r.message().length()).isLessThan(BearerChallenge.MAX_DESCRIPTION + 80);
        }
    }

    @Test
    void statusesFollowRfc6750() {
        assertThat(BearerChallenge.invalidToken("r", "x").kind().status()).isEqualTo(401);
        assertThat(BearerChallenge.invalidRequest("r", "x").kind().status()).isEqualTo(400);
        assertThat(BearerChallenge.insufficientScope("r", "s").kind().status()).isEqualTo(403);
        Rejection unavailable = BearerChallenge.keysUnavailable("IdP down", Duration.ofSeconds(7));
        assertThat(unavailable.kind().status()).isEqualTo(503);
        assertThat(unavailable.retryAfter()).contains(Duration.ofSeconds(7));
        assertThat(unavailable.headers().contains("WWW-Authenticate")).isFalse();
    }
}
