package dev.harmony.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ArgsTest {

    private static Args parse(String... argv) {
        return Args.parse(List.of(argv), Set.of("port", "allow-calling-ae"), Set.of());
    }

    @Test
    void portIsRangeCheckedAndNamesTheOption() {
        assertThat(parse("--port", "0").port("port", 8080)).isZero();
        assertThat(parse().port("port", 8080)).isEqualTo(8080);
        assertThatThrownBy(() -> parse("--port=70000").port("port", 8080))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("option --port must be 0..65535, got 70000");
        assertThatThrownBy(() -> parse("--port", "-1").port("port", 8080))
                .hasMessage("option --port must be 0..65535, got -1");
    }

    @Test
    void listIsStrippedWithoutBlanks() {
        assertThat(parse("--allow-calling-ae", " CT , ,MR,").list("allow-calling-ae"))
                .contains(List.of("CT", "MR"));
        assertThat(parse().list("allow-calling-ae")).isEqualTo(Optional.empty());
    }
}
