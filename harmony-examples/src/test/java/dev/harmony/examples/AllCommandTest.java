package dev.harmony.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main job, in process: {@code demo} end to end, and {@code all}'s answer to a taken port. */
class AllCommandTest {
    private final RunnerHarness runner = new RunnerHarness();

    private int run(String... args) {
        return runner.run(args);
    }

    @Test
    void demoDrivesAllThreePipelinesAndReportsEveryStep(@TempDir Path dir) throws Exception {
        AllCommand demo = new DemoCommand();
        int code = demo.run(Args.parse(List.of("--dicom-dir", dir.toString()), demo.valuedOptions(),
                demo.flagOptions()), runner.stdout());
        String report = runner.out();

        assertThat(code).as(report).isZero();
        assertThat(report)
                .contains("READY dicom-scp ", "READY fhir-proxy ", "READY jolt-fhir ")
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
                .contains("AE Title Check       13 exchanges, 12 passed, rejected 1 forbidden")
                .contains("Auth Guard", "rejected 1 unauthenticated")
                .contains("Rate Limit", "rejected 1 too_many_requests")
                .contains("RESULT: all 9 steps behaved as expected");
        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.filter(f -> f.toString().endsWith(".dcm")).count()).isEqualTo(10);
        }
    }

    @Test
    void aTakenPortIsAClearErrorNamingTheOption(@TempDir Path dir) throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int code = run("all", "--no-dashboard", "--dicom-port", "0", "--fhir-port", "0", "--webhook-port", "0",
                    "--dicom-dir", dir.toString(), "--proxy-port", Integer.toString(taken.getLocalPort()));
            assertThat(code).isEqualTo(2);
            assertThat(runner.err())
                    .contains("a port is already in use")
                    .contains("choose another with --proxy-port")
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void badPortValuesAreRefusedBeforeAnythingStarts() {
        assertThat(run("all", "--proxy-port", "70000")).isEqualTo(2);
        assertThat(runner.err()).contains("--proxy-port must be 0..65535");
        assertThat(runner.out()).doesNotContain("READY");
    }
}
