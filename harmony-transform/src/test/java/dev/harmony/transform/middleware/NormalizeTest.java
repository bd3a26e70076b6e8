package dev.harmony.transform.middleware;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.message.Json;
import org.junit.jupiter.api.Test;

class NormalizeTest {
    private static final String MESSY = "{\"a\":\"  x \",\"b\":null,\"c\":\"\",\"d\":[],\"e\":{\"f\":\" \",\"g\":[null,\"\"]},"
            + "\"h\":[\" y\",null,{}],\"n\":0,\"t\":false}";

    @Test
    void dropsNullsEmptiesAndTrimsRecursively() {
        try (Exchanges x = new Exchanges(Normalize.json().build())) {
            assertThat(x.post(MESSY).status()).isEqualTo(200);
            assertThat(x.received()).isEqualTo("{\"a\":\"x\",\"h\":[\"y\"],\"n\":0,\"t\":false}");
            assertThat(x.seenByBackend.get().isParsedJson()).isTrue();
        }
    }

    @Test
    void rulesCanBeSwitchedOff() {
        try (Exchanges x = new Exchanges(Normalize.json().dropEmpty(false).build())) {
            x.post("{\"a\":\" x \",\"b\":null,\"c\":[]}");
            assertThat(x.received()).isEqualTo("{\"a\":\"x\",\"b\":null,\"c\":[]}");
        }
        try (Exchanges x = new Exchanges(Normalize.json().trimStrings(false).build())) {
            x.post("{\"a\":\" x \",\"b\":null,\"c\":\" \"}");
            assertThat(x.received()).isEqualTo("{\"a\":\" x \",\"c\":\" \"}");
        }
    }

    @Test
    void anAllEmptyBodyStaysJsonAndTheInputIsNotModified() throws Exception {
        Normalize normalize = Normalize.json().build();
        var input = Json.mapper().readTree("{\"a\":null,\"b\":[\"\"]}");

        assertThat(normalize.clean(input).toString()).isEqualTo("{}");
        assertThat(input.toString()).isEqualTo("{\"a\":null,\"b\":[\"\"]}");
        assertThat(normalize.describe().detail()).isEqualTo("trim strings, drop null/empty");
    }
}
