package dev.harmony.examples.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.pipeline.Diagram;
import dev.harmony.dicom.DicomNode;
import dev.harmony.pipeline.Pipeline;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class DicomScpExampleTest {

    @Test
    void defaultsDescribeTheSeedPipeline() {
        Pipeline p = DicomScpExample.pipeline();
        Diagram d = p.diagram();
        assertThat(p.name()).isEqualTo("dicom-scp");
        assertThat(d.flow()).isEqualTo("Modality -> DICOM Listener -> AE Title Check -> File Adapter -> File System");
        assertThat(p.frontend().describe().detail()).isEqualTo("Port 11112 · AE HARMONY");
        assertThat(p.isRunning()).isFalse();
    }

    @Test
    void forwardingAddsThePacsTargetAndStoreAndForwardBackend() {
        Pipeline p = DicomScpExample.pipeline(new DicomScpExample.Options("127.0.0.1", 0, "GATEWAY", List.of("CT1", "MR1"),
                Path.of("x"), DicomNode.parse("PACS@pacs.local:104")));
        assertThat(p.diagram().flow()).isEqualTo(
                "Modality -> DICOM Listener -> AE Title Check -> Store & Forward -> PACS Archive, File System");
        assertThat(p.diagram().middleware().get(0).detail()).isEqualTo("Calling AE: CT1, MR1");
        assertThat(p.diagram().backend().detail()).isEqualTo("x → PACS@pacs.local:104");
    }
}
