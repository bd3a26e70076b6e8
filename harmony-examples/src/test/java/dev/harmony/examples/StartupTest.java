package dev.harmony.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.pipeline.Pipeline;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Starting is all or nothing: READY lines appear only once every part of a command is up. When a part
 * cannot start (here: its port is taken by a socket the test holds), no READY line is printed, what had
 * started is stopped again, and every command names the port and the option that moves it, exit 2.
 */
class StartupTest {
    @TempDir
    static Path tmp;
    private final RunnerHarness runner = new RunnerHarness();

    /** Each command with the option under test left out: the taken port is appended as its value. */
    static Stream<Arguments> commandsAndTheirPortOptions() {
        String dir = tmp.resolve("dicom").toString();
        return Stream.of(
                // the first part of its command
                of("dicom-scp", "--port", "--bind", "127.0.0.1", "--dir", dir),
                of("fhir-proxy", "--port"),
                of("jolt-fhir", "--port"),
                of("all", "--fhir-port", "--no-dashboard", "--dicom-port", "0", "--proxy-port", "0", "--webhook-port", "0",
                        "--mllp-port", "0", "--dicom-dir", dir),
                // a later part: the ones before it have started and must be stopped again, their READY unprinted
                of("all", "--webhook-port", "--no-dashboard", "--dicom-port", "0", "--proxy-port", "0", "--fhir-port", "0",
                        "--mllp-port", "0", "--dicom-dir", dir),
                of("all", "--mllp-port", "--no-dashboard", "--dicom-port", "0", "--proxy-port", "0", "--fhir-port", "0",
                        "--webhook-port", "0", "--dicom-dir", dir),
                of("demo", "--proxy-port", "--dicom-dir", dir),
                // the last part, after every pipeline is up
                of("all", "--dashboard", "--dicom-port", "0", "--proxy-port", "0", "--webhook-port", "0", "--fhir-port", "0",
                        "--mllp-port", "0", "--dicom-dir", dir),
                of("demo", "--dashboard", "--dicom-dir", dir),
                of("dicom-scp", "--dashboard", "--port", "0", "--bind", "127.0.0.1", "--dir", dir),
                of("fhir-proxy", "--dashboard", "--port", "0"),
                of("jolt-fhir", "--dashboard", "--port", "0"),
                of("mllp-fhir", "--port"),
                of("mllp-fhir", "--dashboard", "--port", "0"));
    }

    private static Arguments of(String command, String option, String... others) {
        return Arguments.of(command, option, List.of(others));
    }

    @ParameterizedTest(name = "{0} {1} <taken>")
    @MethodSource("commandsAndTheirPortOptions")
    void aTakenPortIsNamedWithItsOptionNothingIsReadyAndNothingKeepsRunning(String command, String option,
            List<String> others) throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            List<String> argv = new ArrayList<>(List.of(command, option, Integer.toString(port)));
            argv.addAll(others);

            int code = runner.run(argv.toArray(String[]::new));

            assertThat(code).as(runner.err()).isEqualTo(2);
            assertThat(runner.err()).isEqualTo(command + ": port " + port + " is already in use (" + option
                    + "); choose another with " + option + " (0 picks a free one)" + System.lineSeparator());
            assertThat(runner.out()).as("nothing is READY unless everything is").doesNotContain("READY")
                    .doesNotContain("dashboard:").doesNotContain("all pipelines are up");
            assertThat(Pipeline.running()).as("what had started is stopped again").isEmpty();
        }
    }

    @Test
    void readyLinesComeOnlyAfterTheLastPartIsUp() throws Exception {
        Startup startup = new Startup();
        RunnerHarness printed = new RunnerHarness();
        startup.start("--one", 0, () -> () -> { });
        startup.announce().println("READY one 1");
        assertThat(printed.out()).isEmpty();
        startup.start("--two", 0, () -> () -> { });
        startup.announce().println("READY two 2");
        startup.ready(printed.stdout());
        assertThat(printed.out()).isEqualTo("READY one 1" + System.lineSeparator() + "READY two 2"
                + System.lineSeparator());
        startup.close();
    }

    @Test
    void aFailingPartClosesThePartsStartedBeforeItInReverseOrder() {
        List<String> closed = new ArrayList<>();
        Startup startup = new Startup();
        startup.start("--a", 0, () -> () -> closed.add("a"));
        startup.start("--b", 0, () -> () -> closed.add("b"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> startup.start("--c", 0, () -> {
            throw new IllegalStateException("c cannot start");
        })).hasMessage("c cannot start").isNotInstanceOf(Startup.PortInUseException.class);
        assertThat(closed).containsExactly("b", "a");
        startup.close();
        assertThat(closed).as("closing twice closes nothing twice").containsExactly("b", "a");
    }
}
