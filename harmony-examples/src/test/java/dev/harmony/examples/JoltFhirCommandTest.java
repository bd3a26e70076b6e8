package dev.harmony.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code jolt-fhir} subcommand's argument handling (serving itself is tested in JoltFhirEndToEndTest). */
class JoltFhirCommandTest {
    private final RunnerHarness runner = new RunnerHarness();

    private int run(String... args) {
        return runner.run(args);
    }

    @Test
    void isListedWithItsUsage() {
        assertThat(run("--help")).isZero();
        assertThat(runner.out()).contains("jolt-fhir");
        assertThat(run("jolt-fhir", "--help")).isZero();
        assertThat(runner.out()).contains("--fhir-base", "--spec", "--path", "--port");
    }

    @Test
    void fhirCredentialsComeFromTheEnvironment() {
        assertThat(JoltFhirCommand.authFromEnvironment(Map.of()).scheme()).isEqualTo("none");
        assertThat(JoltFhirCommand.authFromEnvironment(Map.of("HARMONY_FHIR_TOKEN", "t0k")).scheme()).isEqualTo("bearer");
        assertThat(JoltFhirCommand.authFromEnvironment(Map.of("HARMONY_FHIR_USER", "u", "HARMONY_FHIR_PASSWORD", "p"))
                .scheme()).isEqualTo("basic");
        assertThatThrownBy(() -> JoltFhirCommand.authFromEnvironment(Map.of("HARMONY_FHIR_USER", "u")))
                .hasMessageContaining("HARMONY_FHIR_PASSWORD");
    }

    @Test
    void badOptionsAreUsageErrorsNamingTheOption(@TempDir Path dir) throws Exception {
        assertThat(run("jolt-fhir", "--port", "70000")).isEqualTo(2);
        assertThat(runner.err()).contains("--port must be 0..65535");

        assertThat(run("jolt-fhir", "--spec", dir.resolve("missing.json").toString())).isEqualTo(2);
        assertThat(runner.err()).contains("option --spec: cannot read");

        Path broken = Files.writeString(dir.resolve("broken.json"), "[{\"operation\":\"nope\"}]");
        assertThat(run("jolt-fhir", "--port", "0", "--spec", broken.toString(), "--fhir-base", "http://127.0.0.1:1/fhir"))
                .isEqualTo(2);
        assertThat(runner.err()).contains("JOLT Transform: spec '" + broken.toAbsolutePath());

        assertThat(run("jolt-fhir", "--port", "0", "--fhir-base", "ftp://x/fhir")).isEqualTo(2);
        assertThat(runner.err()).contains("option --fhir-base expects an absolute http(s) URL, got 'ftp://x/fhir'");
    }
}
