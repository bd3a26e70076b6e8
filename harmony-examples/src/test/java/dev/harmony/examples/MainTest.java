package dev.harmony.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MainTest {
    private final RunnerHarness runner = new RunnerHarness();

    private int run(String... args) {
        return runner.run(args);
    }

    @Test
    void helpListsEveryCommand() {
        assertThat(run("--help")).isZero();
        for (Command c : Main.COMMANDS) {
            assertThat(runner.out()).contains(c.name()).contains(c.summary());
        }
    }

    @Test
    void noArgumentsPrintsHelpAndFails() {
        assertThat(run()).isEqualTo(2);
        assertThat(runner.err()).contains("usage:").contains("exit codes:");
        assertThat(runner.out()).isEmpty();
    }

    @Test
    void unknownCommandFailsWithHelp() {
        assertThat(run("frobnicate")).isEqualTo(2);
        assertThat(runner.err()).contains("unknown command 'frobnicate'").contains("commands:");
    }

    @Test
    void unknownOptionIsNamed() {
        assertThat(run("diagram", "--colour", "red")).isEqualTo(2);
        assertThat(runner.err()).contains("diagram: unknown option --colour")
                .contains("usage: diagram");
    }

    @Test
    void globalFlagsMayComeAnywhere() {
        assertThat(run("--verbose", "diagram", "--json-logs", "--pipeline", "dicom-scp")).isZero();
        assertThat(runner.out()).contains("Pipeline dicom-scp");
    }

    @Test
    void commandHelpShowsUsage() {
        assertThat(run("diagram", "--help")).isZero();
        assertThat(runner.out()).contains("usage: diagram");
    }

    @Test
    void argsParseBothSpellingsAndFlags() {
        Args a = Args.parse(List.of("--port", "1", "--dir=/x", "--demo", "rest"), java.util.Set.of("port", "dir"),
                java.util.Set.of("demo"));
        assertThat(a.intValue("port", 0)).isEqualTo(1);
        assertThat(a.get("dir")).contains("/x");
        assertThat(a.flag("demo")).isTrue();
        assertThat(a.positional()).containsExactly("rest");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Args.parse(List.of("--port"),
                java.util.Set.of("port"), java.util.Set.of())).hasMessageContaining("--port needs a value");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Args.parse(List.of("--port", "x"),
                java.util.Set.of("port"), java.util.Set.of()).intValue("port", 0))
                .hasMessageContaining("expects a number");
    }
}
