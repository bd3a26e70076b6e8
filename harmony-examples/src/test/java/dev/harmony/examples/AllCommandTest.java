package dev.harmony.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The main job, in process: {@code demo} end to end (a taken port: {@link StartupTest}; bad options:
 * {@link OptionCheckTest}).
 */
class AllCommandTest {
    private final RunnerHarness runner = new RunnerHarness();

    private int run(String... args) {
        return runner.run(args);
    }

    @Test
    void demoDrivesAllThreePipelinesAndReportsEveryStep(@TempDir Path dir) throws Exception {
        int code = run("demo", "--dicom-dir", dir.toString());
        String report = runner.out();

        assertThat(code).as(report).isZero();
        assertThat(report)
                .contains("READY dicom-scp ", "READY fhir-proxy ", "READY jolt-fhir ", "READY mllp-fhir ")
                .contains("Pipeline dicom-scp", "Pipeline fhir-proxy", "Pipeline jolt-fhir")
                .contains("[ok] dicom-scp  C-STORE 10 CT objects")
                .contains("[ok] dicom-scp  associate as INTRUDER")
                .contains("observed: A-ASSOCIATE-RJ")
                .contains("[ok] fhir-proxy GET /Patient, valid token", "observed: 200 Bundle")
                .contains("[ok] fhir-proxy GET /Patient, forged token", "observed: 401 OperationOutcome")
                .contains("[ok] fhir-proxy repeat GET until limited", "then 429")
                .contains("[ok] jolt-fhir  POST sample_patient.json")
                .contains("observed: 1 match: John Smith, born 1980-03-15")
                .contains("still one Patient")
                .contains("[ok] mllp-fhir  ADT^A01 MSG-1001 over MLLP, then again", "observed: AA, AA, 1 Patient(s)")
                .contains("AE Title Check       13 exchanges, 12 passed, rejected 1 forbidden")
                .contains("Auth Guard", "rejected 1 unauthenticated")
                .contains("Rate Limit", "rejected 1 too_many_requests")
                .contains("RESULT: all 10 steps behaved as expected");
        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.filter(f -> f.toString().endsWith(".dcm")).count()).isEqualTo(10);
        }
        // the DCMTK lines to paste are the ones PrintedCommandsTest runs, for the port actually bound
        int port = Integer.parseInt(report.lines().filter(l -> l.startsWith("READY dicom-scp ")).findFirst().orElseThrow()
                .substring("READY dicom-scp ".length()).strip());
        for (String line : PrintedCommands.dicom("MODALITY", "HARMONY", "127.0.0.1", port)) {
            assertThat(report).contains("  " + line + System.lineSeparator());
        }
        assertThat(report).contains(" sample-ct ").contains("&& TCP_NODELAY=1 storescu -aet MODALITY -aec HARMONY");
        // READY lines first, once everything is up; then the demo
        assertThat(report.lastIndexOf("READY ")).isLessThan(report.indexOf("all pipelines are up; running the demo"));
    }

    @Test
    void badPortValuesAreRefusedBeforeAnythingStarts() {
        assertThat(run("all", "--proxy-port", "70000")).isEqualTo(2);
        assertThat(runner.err()).contains("--proxy-port must be 0..65535");
        assertThat(runner.out()).doesNotContain("READY");
    }
}
