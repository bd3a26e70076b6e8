package dev.harmony.http.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ChunkFramingTest {
    private static final String VALID = "5;name=\"v\"\r\nhello\r\n1A \t; x\r\n" + "z".repeat(26) + "\r\n"
            + "0\r\nX-Trailer: a\r\nY: b\r\n\r\n";

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void aValidBodyIsAcceptedHoweverItIsSplitAndWhatFollowsIsNotLookedAt() {
        String withNext = VALID + "GET / HTTP/1.1\r\n\n\n garbage";
        ByteBuffer all = bytes(withNext);
        for (int split = 0; split <= withNext.length(); split++) {
            ChunkFraming f = new ChunkFraming(1024);
            assertThat(f.feed(all, 0, split)).isEqualTo(-1);
            assertThat(f.feed(all, split, all.limit())).as("split at " + split).isEqualTo(-1);
            assertThat(f.done()).isTrue();
        }
        ChunkFraming byteByByte = new ChunkFraming(1024);
        for (int i = 0; i < all.limit(); i++) {
            assertThat(byteByByte.feed(all, i, i + 1)).isEqualTo(-1);
        }
        assertThat(byteByByte.done()).isTrue();
        assertThat(all.position()).isZero();
    }

    static Stream<Arguments> broken() {
        return Stream.of(
                Arguments.of("5\r\nhelloX\r\n0\r\n\r\n", 8, "longer than its declared size"),
                Arguments.of("5\nhello\r\n0\r\n\r\n", 1, "CRLF"),
                Arguments.of("5\r\nhello\n0\r\n\r\n", 8, "longer than its declared size"),
                Arguments.of("g\r\n", 0, "hexadecimal"),
                Arguments.of("\r\n", 0, "hexadecimal"),
                Arguments.of("5x\r\n", 1, "hexadecimal"),
                Arguments.of("1234567890abcdef0\r\n", 15, "too large"),
                Arguments.of("0\r\nX: a\nY: b\r\n\r\n", 7, "CRLF"),
                Arguments.of("0\r\n\n", 3, "CRLF"),
                Arguments.of("3;a\u0001\r\n", 3, "control characters"),
                Arguments.of("3\r\nabc\r\n0\r\r\n", 10, "CRLF"));
    }

    @ParameterizedTest
    @MethodSource("broken")
    void brokenFramingIsFoundAtTheByteThatBreaksIt(String body, int at, String says) {
        ChunkFraming f = new ChunkFraming(1024);
        assertThat(f.feed(bytes(body), 0, body.length())).isEqualTo(at);
        assertThat(f.problem()).contains(says);
    }

    @Test
    void trailersOverTheLimitAreRefused() {
        String body = "0\r\nX: " + "a".repeat(100) + "\r\n\r\n";
        ChunkFraming f = new ChunkFraming(50);
        assertThat(f.feed(bytes(body), 0, body.length())).isPositive();
        assertThat(f.problem()).contains("trailer section");
    }
}
