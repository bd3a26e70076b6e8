package dev.harmony.dicom.frontend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.harmony.message.Response;
import dev.harmony.pipeline.Pipeline;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DicomScpBuilderTest {
    @Test
    void misconfigurationNamesTheOption() {
        assertThatThrownBy(() -> DicomScp.port(70000).build()).hasMessageContaining("DicomScp.port");
        assertThatThrownBy(() -> DicomScp.builder().aeTitle("").build()).hasMessageContaining("DicomScp.aeTitle");
        assertThatThrownBy(() -> DicomScp.builder().maxPduLength(10).build()).hasMessageContaining("DicomScp.maxPduLength");
        assertThatThrownBy(() -> DicomScp.builder().maxAssociations(0).build()).hasMessageContaining("DicomScp.maxAssociations");
        assertThatThrownBy(() -> DicomScp.builder().idleTimeout(Duration.ZERO).build()).hasMessageContaining("DicomScp.idleTimeout");
        assertThatThrownBy(() -> DicomScp.builder().acceptSopClasses().build()).hasMessageContaining("acceptSopClasses");
    }

    @Test
    void describesItself() {
        assertThat(DicomScp.port(104).aeTitle("GATEWAY").build().describe())
                .extracting(d -> d.label() + " / " + d.detail()).isEqualTo("DICOM Listener / Port 104 · AE GATEWAY");
    }

    @Test
    void aRunningListenerOnPortZeroDescribesThePortItBound() {
        DicomScp scp = DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("GATEWAY").build();
        try (Pipeline p = Pipeline.builder().name("describe").frontend(scp).backend(r -> Response.ok()).build()) {
            assertThat(p.diagram().frontend().detail()).isEqualTo("Port 0 · AE GATEWAY");
            p.start();
            assertThat(scp.localPort()).isPositive();
            assertThat(p.diagram().frontend().detail()).isEqualTo("Port " + scp.localPort() + " · AE GATEWAY");
        }
    }
}
