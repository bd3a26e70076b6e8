package dev.harmony.examples.all;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.examples.bench.DicomCorpus;
import dev.harmony.fhir.server.EmbeddedFhirServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The showcase against external peers: DCMTK {@code storescu} as the modality, and a separately started
 * FHIR server given as {@code --upstream} and {@code --fhir-base}.
 */
class ExternalPeersTest {

    @Test
    void storescuAndASeparateFhirServer(@TempDir Path dir) throws Exception {
        Path stored = dir.resolve("stored");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        try (EmbeddedFhirServer external = EmbeddedFhirServer.seeded().start()) {
            int patientsBefore = external.count("Patient");
            ShowcaseSettings settings = new ShowcaseSettings(0, "HARMONY", List.of("MODALITY", Demo.MODALITY_AE),
                    stored, 0, external.baseUrl(), 0, external.baseUrl(), 0, 0);
            try (Showcase showcase = Showcase.start(settings, out)) {
                assertThat(printed.toString(StandardCharsets.UTF_8)).doesNotContain("embedded FHIR R4 server");

                List<Path> files = DicomCorpus.write(Files.createDirectory(dir.resolve("modality")), 3, 1);
                List<String> command = new ArrayList<>(List.of("storescu", "-aet", "MODALITY", "-aec", "HARMONY",
                        "127.0.0.1", Integer.toString(showcase.dicomPort())));
                files.forEach(f -> command.add(f.toString()));
                ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
                pb.environment().put("TCP_NODELAY", "1");
                Process storescu = pb.start();
                String log = new String(storescu.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(storescu.waitFor(60, TimeUnit.SECONDS)).as("storescu finished").isTrue();
                assertThat(storescu.exitValue()).as(log).isZero();
                assertThat(part10Files(stored)).isEqualTo(3);

                List<DemoStep> steps = new Demo(showcase, out).run();
                assertThat(steps).as(printed.toString(StandardCharsets.UTF_8)).allMatch(DemoStep::ok);
                assertThat(part10Files(stored)).isEqualTo(3 + Demo.SERIES_SIZE);
                assertThat(external.count("Patient")).as("one from the JOLT webhook, one from MLLP")
                        .isEqualTo(patientsBefore + 2);
            }
        }
    }

    private static long part10Files(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".dcm")).count();
        }
    }
}
