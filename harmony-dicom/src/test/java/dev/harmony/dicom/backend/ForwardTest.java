package dev.harmony.dicom.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.dicom.Dcmtk;
import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.DimseStatus;
import dev.harmony.dicom.Orthanc;
import dev.harmony.dicom.Part10;
import dev.harmony.dicom.StoreScp;
import dev.harmony.dicom.frontend.DicomScp;
import dev.harmony.dicom.middleware.AeTitleCheck;
import dev.harmony.dicom.scu.DicomClient;
import dev.harmony.pipeline.Backend;
import dev.harmony.pipeline.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our SCP -> (store and) forward -> DCMTK storescp / Orthanc. */
class ForwardTest {
    private static final String STUDY = "1.2.826.0.1.3680043.2.1125.9";
    private static final String SERIES = STUDY + ".1";

    @TempDir
    Path tmp;

    private List<Path> corpus(int count) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("corpus"));
        List<Path> files = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            files.add(Dcmtk.ctObject(dir, STUDY, SERIES, SERIES + "." + i, 8192));
        }
        return files;
    }

    private static Pipeline pipeline(DicomScp scp, Backend backend) {
        return Pipeline.builder().name("forward-test").frontend(scp).use(AeTitleCheck.allow("MODALITY").build())
                .backend(backend).build();
    }

    @Test
    void storeThenForwardToStorescpKeepsBothCopiesAndReusesOneAssociation() throws Exception {
        List<Path> files = corpus(6);
        Path store = tmp.resolve("store");
        try (StoreScp pacs = StoreScp.start(tmp, "PACS")) {
            DicomForward forward = DicomForward.to(DicomNode.of("PACS", "127.0.0.1", pacs.port()))
                    .idleRelease(Duration.ofMillis(400)).build();
            DicomScp scp = DicomScp.port(0).bindAddress("127.0.0.1").build();
            try (Pipeline p = pipeline(scp, StoreAndForward.of(DicomFileStore.under(store).build(), forward).build())) {
                p.start();
                // storescu as the modality, two separate associations in a row
                for (List<Path> half : List.of(files.subList(0, 3), files.subList(3, 6))) {
                    List<String> args = new ArrayList<>(List.of(Dcmtk.require("storescu"), "-aet", "MODALITY", "-aec",
                            "HARMONY", "127.0.0.1", String.valueOf(scp.localPort())));
                    half.forEach(f -> args.add(f.toString()));
                    Dcmtk.Result r = Dcmtk.run(args, Duration.ofSeconds(60));
                    assertThat(r.exitCode()).as(r.output()).isZero();
                }
                assertThat(pacs.fileCount()).isEqualTo(6);
                for (Path f : files) {
                    String instance = f.getFileName().toString().replace(".dcm", "");
                    byte[] sent = Part10.read(f).dataset();
                    assertThat(Part10.read(store.resolve(STUDY).resolve(SERIES).resolve(f.getFileName())).dataset())
                            .isEqualTo(sent);
                    assertThat(Part10.read(pacs.dir().resolve("CT." + instance)).dataset()).isEqualTo(sent);
                }
                // One association to the PACS carried all six objects, and it is released when idle.
                assertThat(pacs.log()).doesNotContain("Association Aborted");
                assertThat(forward.idleAssociations()).isEqualTo(1);
                Dcmtk.await(Duration.ofSeconds(10), "idle release", () -> forward.idleAssociations() == 0);
            }
        }
    }

    @Test
    void forwardsToOrthancAndReturnsItsStatus() throws Exception {
        List<Path> files = corpus(3);
        try (Orthanc orthanc = Orthanc.start(tmp, "ORTHANC")) {
            DicomScp scp = DicomScp.port(0).bindAddress("127.0.0.1").build();
            DicomForward forward = DicomForward.to(DicomNode.of("ORTHANC", "127.0.0.1", orthanc.dicomPort())).build();
            try (Pipeline p = pipeline(scp, forward)) {
                p.start();
                DicomClient modality = DicomClient.callingAe("MODALITY").build();
                assertThat(modality.store(DicomNode.of("HARMONY", "127.0.0.1", scp.localPort()), files))
                        .containsExactly(0, 0, 0);
                assertThat(orthanc.get("/instances").split(",")).hasSize(3);
            }
        }
    }

    @Test
    void aTransferSyntaxThePacsRefusesIsAnsweredWithSopClassNotSupported() throws Exception {
        Path plain = corpus(1).get(0);
        Path jpeg = tmp.resolve("jpeg.dcm");
        Dcmtk.Result compress = Dcmtk.run(Duration.ofSeconds(60), "dcmcjpeg", plain.toString(), jpeg.toString());
        assertThat(compress.exitCode()).as(compress.output()).isZero();
        try (StoreScp pacs = StoreScp.start(tmp, "PACS")) { // storescp accepts uncompressed syntaxes only by default
            DicomScp scp = DicomScp.port(0).bindAddress("127.0.0.1").build();
            DicomForward forward = DicomForward.to(DicomNode.of("PACS", "127.0.0.1", pacs.port())).build();
            try (Pipeline p = pipeline(scp, forward)) {
                p.start();
                DicomClient modality = DicomClient.callingAe("MODALITY").build();
                DicomNode harmony = DicomNode.of("HARMONY", "127.0.0.1", scp.localPort());
                assertThat(modality.store(harmony, List.of(jpeg))).containsExactly(DimseStatus.SOP_CLASS_NOT_SUPPORTED);
                assertThat(modality.store(harmony, List.of(plain))).containsExactly(DimseStatus.SUCCESS);
                assertThat(pacs.fileCount()).isEqualTo(1);
            }
        }
    }

    @Test
    void unreachablePacsYieldsProcessingFailure() throws Exception {
        List<Path> files = corpus(1);
        int nobody = Dcmtk.freePort();
        DicomScp scp = DicomScp.port(0).bindAddress("127.0.0.1").build();
        DicomForward forward = DicomForward.to(DicomNode.of("PACS", "127.0.0.1", nobody))
                .connectTimeout(Duration.ofSeconds(2)).build();
        try (Pipeline p = pipeline(scp, forward)) {
            p.start();
            DicomClient modality = DicomClient.callingAe("MODALITY").build();
            assertThat(modality.store(DicomNode.of("HARMONY", "127.0.0.1", scp.localPort()), files))
                    .containsExactly(DimseStatus.PROCESSING_FAILURE);
        }
    }

    @Test
    void pacsRefusalStatusIsPassedBack() throws Exception {
        List<Path> files = corpus(1);
        // A second Harmony SCP plays a PACS that refuses duplicates with 0111.
        Path pacsStore = tmp.resolve("pacs");
        DicomScp pacsScp = DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("PACS").build();
        DicomScp scp = DicomScp.port(0).bindAddress("127.0.0.1").build();
        try (Pipeline pacs = Pipeline.builder().name("pacs").frontend(pacsScp)
                .backend(DicomFileStore.under(pacsStore).onDuplicate(DuplicatePolicy.REJECT).build()).build()) {
            pacs.start();
            DicomForward forward = DicomForward.to(DicomNode.of("PACS", "127.0.0.1", pacsScp.localPort())).build();
            try (Pipeline p = pipeline(scp, forward)) {
                p.start();
                DicomClient modality = DicomClient.callingAe("MODALITY").build();
                DicomNode harmony = DicomNode.of("HARMONY", "127.0.0.1", scp.localPort());
                assertThat(modality.store(harmony, files)).containsExactly(DimseStatus.SUCCESS);
                assertThat(modality.store(harmony, files)).containsExactly(DimseStatus.DUPLICATE_SOP_INSTANCE);
            }
        }
    }
}
