package dev.harmony.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.harmony.message.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code demo --verbose --json-logs} in its own JVM, as a user runs it, in an empty working directory with
 * its own empty {@code java.io.tmpdir}. It drives DICOM, HTTP and FHIR traffic (the JDK's HTTP client
 * among it, which alone logs thousands of FINE lines when the root logger is opened up).
 */
class DemoForkedTest {
    @TempDir
    static Path tmp;
    private static Path work;
    private static Path javaTmp;
    private static int exit;
    private static List<String> stdout;
    private static List<String> stderr;

    @BeforeAll
    static void runDemo() throws Exception {
        work = tmp.resolve("work");
        javaTmp = tmp.resolve("java-tmp");
        Path log = tmp.resolve("demo.log");
        try (ForkedRunner demo = ForkedRunner.start(work, javaTmp, log, "demo", "--verbose", "--json-logs")) {
            exit = demo.awaitExit(300);
            stdout = demo.stdout();
            stderr = Files.readAllLines(log);
        }
    }

    @Test
    void theDemoPasses() {
        assertThat(exit).as(String.join("\n", stdout) + "\n" + String.join("\n", stderr)).isZero();
        assertThat(stdout).contains("RESULT: all 10 steps behaved as expected");
    }

    @Test
    void verboseShowsHarmonysDetailAndNoJdkInternals() throws Exception {
        List<String> loggers = new ArrayList<>();
        long harmonyDebug = 0;
        for (String line : stderr) {
            JsonNode record = Json.mapper().readTree(line);
            String logger = record.path("logger").asText();
            loggers.add(logger);
            if (logger.startsWith("dev.harmony.") && record.path("level").asText().equals("DEBUG")) {
                harmonyDebug++;
            }
        }
        assertThat(harmonyDebug).as("Harmony's DEBUG detail, e.g. one line per stored object").isGreaterThanOrEqualTo(10);
        assertThat(loggers).as("no JDK internals").noneMatch(l -> l.startsWith("jdk.") || l.startsWith("sun.")
                || l.startsWith("java.") || l.startsWith("javax."));
        // 10 objects, ~110 proxied calls and a few webhook posts: a few hundred lines, not tens of thousands
        assertThat(stderr).hasSizeLessThan(1000);
    }

    @Test
    void leavesNothingBehind() throws Exception {
        assertThat(exit).isZero();
        assertThat(stdout).as("received files go to a directory under java.io.tmpdir")
                .anyMatch(l -> l.startsWith("files go to " + javaTmp.resolve("harmony-demo-")));
        try (Stream<Path> left = Stream.concat(Files.list(work), Files.list(javaTmp))) {
            assertThat(left.toList()).as("files left in the working directory or java.io.tmpdir").isEmpty();
        }
    }
}
