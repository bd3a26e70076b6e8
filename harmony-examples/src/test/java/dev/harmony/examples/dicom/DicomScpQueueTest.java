package dev.harmony.examples.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.examples.RunnerProcess;
import dev.harmony.examples.bench.DicomCorpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dicom-scp --forward-to} through its default queue, in a forked runner JVM: DCMTK storescu stores
 * while the PACS (DCMTK storescp) is down and gets 0000; the runner is killed with SIGKILL; the PACS
 * comes up; the runner restarted on the same {@code --dir} delivers every object.
 */
class DicomScpQueueTest {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path tmp;

    @Test
    void objectsAcceptedWhileThePacsIsDownSurviveKillNineAndArriveAfterRestart() throws Exception {
        List<Path> files = DicomCorpus.write(tmp.resolve("corpus"), 6, 1);
        int pacsPort = RunnerProcess.freePort(); // nobody listens there yet
        Path dir = tmp.resolve("data");
        String[] args = {"dicom-scp", "--bind", "127.0.0.1", "--port", "0", "--dir", dir.toString(),
            "--forward-to", "PACS@127.0.0.1:" + pacsPort};
        try (RunnerProcess runner = RunnerProcess.start(tmp.resolve("first.log"), args)) {
            List<String> storescu = new ArrayList<>(List.of(RunnerProcess.tool("storescu"), "-aet", "MODALITY", "-aec",
                    "HARMONY", "127.0.0.1", "" + runner.port()));
            files.forEach(f -> storescu.add(f.toString()));
            assertThat(dcmtk(storescu, tmp.resolve("storescu.log"))).as("storescu: every object acknowledged").isZero();
            assertThat(Files.readString(tmp.resolve("storescu.log"))).doesNotContain("Failed").doesNotContain("Error");
            runner.kill();
        }
        assertThat(Files.isDirectory(dir.resolve(".queue").resolve("pacs"))).as("the journal inside --dir").isTrue();

        Path received = Files.createDirectories(tmp.resolve("pacs"));
        ProcessBuilder pb = new ProcessBuilder(RunnerProcess.tool("storescp"), "--output-directory", received.toString(),
                "-aet", "PACS", "" + pacsPort).redirectErrorStream(true).redirectOutput(tmp.resolve("storescp.log").toFile());
        pb.environment().put("TCP_NODELAY", "1");
        Process pacs = pb.start();
        try (RunnerProcess runner = RunnerProcess.start(tmp.resolve("second.log"), args)) {
            RunnerProcess.await(WAIT, "all 6 objects at the PACS", () -> count(received) == files.size());
            assertThat(runner.log()).contains("DICOM listener");
            runner.stop();
        } finally {
            pacs.destroy();
            pacs.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(count(received)).isEqualTo(files.size());
        try (Stream<Path> s = Files.list(received)) {
            for (Path p : s.toList()) { // storescp names them CT.<SOP Instance UID>; each carries its frame
                assertThat(p.getFileName().toString()).startsWith("CT.");
                assertThat(Files.size(p)).isGreaterThan(DicomCorpus.FRAME_BYTES);
            }
        }
    }

    private static long count(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith(".")).count();
        } catch (IOException e) {
            return -1;
        }
    }

    private static int dcmtk(List<String> command, Path log) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("TCP_NODELAY", "1");
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", command.get(0)).isTrue();
        return p.exitValue();
    }
}
