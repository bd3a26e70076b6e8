package dev.harmony.dicom.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.dicom.Dcmtk;
import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.StoreScp;
import dev.harmony.dicom.backend.DicomFileStore;
import dev.harmony.dicom.frontend.DicomScp;
import dev.harmony.dicom.internal.codec.ToImplicitVrTest;
import dev.harmony.dicom.scu.DicomClient;
import dev.harmony.pipeline.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A C-MOVE destination that takes only implicit VR little endian (the one syntax every SCP must take)
 * still gets what we hold in explicit VR little endian, re-encoded as it is sent: DCMTK storescp
 * {@code +xi +B} (it writes what arrived, bit for bit). dcmdump reads the received object with the same
 * elements and values as the one we stored. The C-GET side is in RetrieveHardeningTest (getscu 3.6.7
 * proposes explicit VR for its storage contexts even with {@code +xi}).
 */
class ImplicitOnlyPeerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String STUDY = "1.2.826.0.1.3680043.9.7777.9";

    @TempDir
    Path tmp;

    @Test
    void moveToAnImplicitOnlyStorescp() throws Exception {
        Path defined = ToImplicitVrTest.rich(Files.createDirectories(tmp.resolve("in")), "rich", "+e", "+g");
        try (StoreScp storescp = StoreScp.start(Files.createDirectories(tmp.resolve("storescp")), "IMPLICIT", "+xi", "+B")) {
            DicomScp scp = DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("HARMONY")
                    .moveDestinations(DicomNode.of("IMPLICIT", "127.0.0.1", storescp.port())).build();
            try (Pipeline p = Pipeline.builder().name("implicit").frontend(scp)
                    .backend(DicomFileStore.under(tmp.resolve("store")).indexed().build()).build()) {
                p.start();
                DicomNode harmony = DicomNode.of("HARMONY", "127.0.0.1", scp.localPort());
                assertThat(DicomClient.callingAe("MODALITY").build().store(harmony, List.of(defined))).containsOnly(0);
                String expected = ToImplicitVrTest.elements(defined);

                Dcmtk.Result move = Dcmtk.run(TIMEOUT, "movescu", "-v", "-S", "-aet", "MOVER", "-aec", "HARMONY",
                        "-aem", "IMPLICIT", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + STUDY,
                        "127.0.0.1", String.valueOf(scp.localPort()));
                assertThat(move.output()).contains("Received Final Move Response (Success)");
                Dcmtk.await(TIMEOUT, "storescp to hold the object", () -> count(storescp.dir()) == 1);
                Path moved = only(storescp.dir());
                assertThat(ToImplicitVrTest.dump(moved)).contains("Little Endian Implicit");
                assertThat(ToImplicitVrTest.elements(moved)).isEqualTo(expected);
            }
        }
    }

    private static long count(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> !f.getFileName().toString().endsWith(".log")).count();
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    private static Path only(Path dir) throws java.io.IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> all = files.filter(f -> !f.getFileName().toString().endsWith(".log")).toList();
            assertThat(all).hasSize(1);
            return all.get(0);
        }
    }
}
