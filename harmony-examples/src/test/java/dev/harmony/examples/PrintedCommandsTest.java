package dev.harmony.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands the runner prints work as pasted: {@code dicom-scp} runs in its own JVM, and its printed
 * {@code echoscu} and {@code sample-ct && storescu} lines run in bash exactly as printed (DCMTK as the
 * modality); DCMTK's {@code dcmdump} reads the generated files. Run with {@code --verbose}, the log shows
 * Harmony's per-object detail and nothing of the JDK's internals.
 */
class PrintedCommandsTest {

    @TempDir
    Path tmp;

    @Test
    void printedEchoscuAndStorescuLinesWorkAsPasted() throws Exception {
        Path data = tmp.resolve("data");
        Path javaTmp = tmp.resolve("java-tmp");
        Path log = tmp.resolve("dicom-scp.log");
        try (ForkedRunner scp = ForkedRunner.start(tmp.resolve("work"), javaTmp, log, "dicom-scp", "--bind",
                "127.0.0.1", "--port", "0", "--dir", data.toString(), "--verbose")) {
            String ready = scp.awaitLine(l -> l.startsWith("READY dicom-scp "), 60);
            int port = Integer.parseInt(ready.substring("READY dicom-scp ".length()).trim());
            String echo = scp.awaitLine(l -> l.contains("echoscu"), 10).strip();
            String store = scp.awaitLine(l -> l.contains("storescu"), 10).strip();
            Path samples = javaTmp.resolve("harmony-ct");

            assertThat(echo).isEqualTo("TCP_NODELAY=1 echoscu -aet MODALITY -aec HARMONY 127.0.0.1 " + port);
            assertThat(store).contains(" sample-ct " + samples + " && TCP_NODELAY=1 storescu -aet MODALITY -aec HARMONY "
                    + "127.0.0.1 " + port + " " + samples + "/*.dcm");
            assertThat(bash(echo)).isZero();
            assertThat(bash(store)).isZero();

            List<Path> sent = dcmFiles(samples);
            assertThat(sent).hasSize(SampleCtCommand.DEFAULT_COUNT);
            assertThat(dcmFiles(data)).hasSize(SampleCtCommand.DEFAULT_COUNT);
            for (Path file : sent) {
                ProcessBuilder dump = new ProcessBuilder("dcmdump", file.toString()).redirectErrorStream(true);
                Process p = dump.start();
                String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue()).as(printed).isZero();
                assertThat(printed).contains("(0002,0010) UI =LittleEndianExplicit", "(0008,0016) UI =CTImageStorage",
                        "(0008,0060) CS [CT]", "(0028,0010) US 512").doesNotContain("E: ");
            }

            scp.stop();
            List<String> stderr = Files.readAllLines(log);
            // --verbose: one DEBUG line per object from Harmony's association, no JDK internals, a bounded log
            assertThat(stderr.stream().filter(l -> l.contains("DEBUG") && l.contains("C-STORE")).count())
                    .as(String.join("\n", stderr)).isEqualTo(SampleCtCommand.DEFAULT_COUNT);
            assertThat(stderr).hasSizeLessThan(200).noneMatch(l -> l.contains("jdk.") || l.contains("sun."));
        }
    }

    /** Runs {@code line} in bash as a user would paste it, with the test's temp dir as working directory. */
    private int bash(String line) throws Exception {
        Path out = Files.createTempFile(tmp, "bash-", ".out");
        Process p = new ProcessBuilder("bash", "-c", line).directory(tmp.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", line).isTrue();
        assertThat(p.exitValue()).as("%s\n%s", line, Files.readString(out)).isZero();
        return p.exitValue();
    }

    private static List<Path> dcmFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".dcm")).sorted().toList();
        }
    }
}
