package dev.harmony.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** dicom-scp's queue options: contradictions and a second --forward-to are usage errors, never ignored. */
class DicomScpQueueOptionsTest {
    private final RunnerHarness runner = new RunnerHarness();

    @Test
    void contradictionsAreUsageErrors() {
        assertThat(runner.run("dicom-scp", "--port", "0", "--forward-to", "PACS@127.0.0.1:1", "--forward-to",
                "OTHER@127.0.0.1:2")).isEqualTo(2);
        assertThat(runner.err()).contains("option --forward-to is given twice");
        assertThat(runner.run("dicom-scp", "--port", "0", "--forward-to=PACS@127.0.0.1:1", "--forward-to",
                "OTHER@127.0.0.1:2")).isEqualTo(2);
        assertThat(runner.err()).contains("option --forward-to is given twice");
        assertThat(runner.run("dicom-scp", "--port", "0", "--forward-to", "PACS@127.0.0.1:1,OTHER@127.0.0.1:2"))
                .isEqualTo(2);
        assertThat(runner.err()).contains("option --forward-to expects AE@host:port", "one node only");
        assertThat(runner.run("dicom-scp", "--port", "0", "--queue-dir", "/tmp/q")).isEqualTo(2);
        assertThat(runner.err()).contains("the queue options need --forward-to");
        assertThat(runner.run("dicom-scp", "--port", "0", "--forward-to", "PACS@127.0.0.1:1", "--no-queue",
                "--queue-dir", "/tmp/q")).isEqualTo(2);
        assertThat(runner.err()).contains("--no-queue contradicts --queue-dir");
        assertThat(runner.run("dicom-scp", "--port", "0", "--forward-to", "PACS@127.0.0.1:1", "--queue-dir", "/tmp/q",
                "--queue", "jdbc:postgresql://127.0.0.1:1/x")).isEqualTo(2);
        assertThat(runner.err()).contains("give --queue-dir or --queue, not both");
        assertThat(runner.run("dicom-scp", "--port", "0", "--forward-to", "PACS@127.0.0.1:1", "--queue", "/tmp/q"))
                .isEqualTo(2);
        assertThat(runner.err()).contains("expects jdbc:postgresql://");
        assertThat(runner.run("dicom-scp", "--help")).isZero();
        assertThat(runner.out()).contains("--queue-dir", "--no-queue", "--queue ");
    }
}
