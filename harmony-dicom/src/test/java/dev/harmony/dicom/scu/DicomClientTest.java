package dev.harmony.dicom.scu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.harmony.dicom.Dcmtk;
import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.Orthanc;
import dev.harmony.dicom.Part10;
import dev.harmony.dicom.StoreScp;
import dev.harmony.dicom.backend.DicomFileStore;
import dev.harmony.dicom.frontend.DicomScp;
import dev.harmony.dicom.middleware.AeTitleCheck;
import dev.harmony.pipeline.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our SCU against DCMTK storescp, Orthanc and our own SCP. */
class DicomClientTest {
    private static final String STUDY = "1.2.826.0.1.3680043.2.1125.7";
    private static final String SERIES = STUDY + ".1";

    @TempDir
    Path tmp;

    private List<Path> corpus(int count, String... options) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("corpus"));
        List<Path> files = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            files.add(Dcmtk.ctObject(dir, STUDY, SERIES, SERIES + "." + i + (options.length > 0 ? "1" : ""), 4096,
                    options));
        }
        return files;
    }

    @Test
    void storesIntoDcmtkStorescp() throws Exception {
        List<Path> files = corpus(5);
        try (StoreScp pacs = StoreScp.start(tmp, "PACS")) {
            DicomClient client = DicomClient.callingAe("HARMONY").build();
            DicomNode node = DicomNode.of("PACS", "127.0.0.1", pacs.port());
            assertThat(client.echo(node)).isZero();
            assertThat(client.store(node, files)).containsOnly(0).hasSize(5);
            assertThat(pacs.fileCount()).isEqualTo(5);
            Path received = pacs.dir().resolve("CT." + SERIES + ".3");
            assertThat(Part10.read(received).dataset()).isEqualTo(Part10.read(files.get(2)).dataset());
        }
    }

    @Test
    void storesIntoOrthanc() throws Exception {
        List<Path> files = corpus(3);
        try (Orthanc orthanc = Orthanc.start(tmp, "ORTHANC")) {
            DicomClient client = DicomClient.callingAe("HARMONY").build();
            DicomNode node = DicomNode.of("ORTHANC", "127.0.0.1", orthanc.dicomPort());
            assertThat(client.echo(node)).isZero();
            assertThat(client.store(node, files)).containsExactly(0, 0, 0);
            String instances = orthanc.get("/instances");
            assertThat(instances.split(",")).hasSize(3);
            assertThat(orthanc.get("/studies")).contains("\"");
        }
    }

    @Test
    void storesIntoOurScpUnchangedIncludingUndefinedLengthSequences() throws Exception {
        List<Path> files = corpus(4, "-e");
        Path store = tmp.resolve("store");
        DicomScp scp = DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("HARMONY").build();
        try (Pipeline p = Pipeline.builder().name("scu-to-scp").frontend(scp).use(AeTitleCheck.allow("MODALITY").build())
                .backend(DicomFileStore.under(store).build()).build()) {
            p.start();
            DicomClient client = DicomClient.callingAe("MODALITY").build();
            DicomNode node = DicomNode.of("HARMONY", "127.0.0.1", scp.localPort());
            assertThat(client.store(node, files)).containsOnly(0);
            for (Path f : files) {
                Path stored = store.resolve(STUDY).resolve(SERIES).resolve(f.getFileName());
                assertThat(Part10.read(stored).dataset()).isEqualTo(Part10.read(f).dataset());
            }
            DicomClient stranger = DicomClient.callingAe("STRANGER").build();
            assertThatThrownBy(() -> stranger.echo(node)).isInstanceOfSatisfying(AssociationRejectedException.class,
                    e -> assertThat(e.unknownAeTitle()).isTrue());
        }
    }
}
