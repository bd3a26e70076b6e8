package dev.harmony.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sample-ct DIR [--count N]}: valid Part-10 CT files that DCMTK reads (sending them: PrintedCommandsTest). */
class SampleCtCommandTest {
    private final RunnerHarness runner = new RunnerHarness();

    @Test
    void writesTheRequestedNumberOfPart10CtFilesIntoANewDirectory(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("a").resolve("b");
        assertThat(runner.run("sample-ct", dir.toString(), "--count", "3")).as(runner.err()).isZero();
        assertThat(runner.out()).startsWith("wrote 3 CT images (one series, 512x512 16-bit) to " + dir.toAbsolutePath()
                + ": ct-0001.dcm .. ct-0003.dcm").contains("storescu -aet MODALITY -aec HARMONY 127.0.0.1 11112 " + dir
                + "/*.dcm");
        List<Path> files = files(dir);
        assertThat(files).extracting(f -> f.getFileName().toString())
                .containsExactly("ct-0001.dcm", "ct-0002.dcm", "ct-0003.dcm");
        Set<String> series = new HashSet<>();
        for (Path f : files) {
            byte[] head = Files.readAllBytes(f);
            assertThat(new String(head, 128, 4, StandardCharsets.US_ASCII)).isEqualTo("DICM");
            assertThat(head.length).isGreaterThan(512 * 512 * 2);
            Process dump = new ProcessBuilder("dcmdump", "+P", "0008,0016", "+P", "0020,000e", f.toString())
                    .redirectErrorStream(true).start();
            String printed = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(dump.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(dump.exitValue()).as(printed).isZero();
            assertThat(printed).contains("(0008,0016) UI =CTImageStorage").contains("(0020,000e) UI [");
            series.add(printed.substring(printed.indexOf("(0020,000e) UI [")).lines().findFirst().orElseThrow());
        }
        assertThat(series).as("one series").hasSize(1);

        // a second run replaces the files of the same names: still three, a new series
        String before = Files.readString(files.get(0), StandardCharsets.ISO_8859_1);
        assertThat(runner.run("sample-ct", dir.toString(), "--count=3")).isZero();
        assertThat(files(dir)).hasSize(3);
        assertThat(Files.readString(files.get(0), StandardCharsets.ISO_8859_1)).isNotEqualTo(before);
    }

    private static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}
