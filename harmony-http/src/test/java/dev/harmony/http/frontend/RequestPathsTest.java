package dev.harmony.http.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestPathsTest {
    @ParameterizedTest
    @ValueSource(strings = {"/", "/Patient/123", "/Patient/123/_history/2", "/a.b/c..d/...", "/x%20y", "/%41%42",
            "/Patient;matrix=1", "/a//b", "/%25", "/%2541", "/Observation/$lastn", "/a-b_c~d"})
    void ordinaryPathsPass(String path) {
        assertThat(RequestPaths.problem(path)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/..", "/.", "/a/../b", "/a/./b", "/%2e%2e/b", "/%2E./b", "/.%2E", "/..;/b", "/..;x=1/b",
            "/%2e%2e;/b", "/a%2fb", "/a%2F..", "/a%5cb", "/a\\b", "/a\u0000b", "/a%00", "/a%0a", "/a%7f", "/a%zz",
            "/a%2", "/a%", "/%252e%252e", "/a%252fb", "/a%255cb", "/a%2500", "/a\tb"})
    void trickPathsAreRefused(String path) {
        assertThat(RequestPaths.problem(path)).isNotNull();
    }
}
