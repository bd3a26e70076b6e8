package dev.harmony.dicom.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.dicom.Dcmtk;
import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.StoreScp;
import dev.harmony.dicom.TransferSyntax;
import dev.harmony.dicom.frontend.DicomScp;
import dev.harmony.dicom.scu.DicomClient;
import dev.harmony.pipeline.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DCMTK storescp without {@code --fork} serves one association at a time: it does not even answer a
 * second A-ASSOCIATE-RQ while one is open. The forwarder must release before renegotiating, so here
 * idle release is 10 minutes and the response timeout 15 s: holding on to an association would make a
 * store fail, not just slow down.
 */
class ForwardRenegotiationTest {
    private static final String CT = "1.2.840.10008.5.1.4.1.1.2";
    private static final String MR = "1.2.840.10008.5.1.4.1.1.4";
    private static final String STUDY = "1.2.826.0.1.3680043.2.1125.44";

    @TempDir
    Path tmp;

    private Path object(String sopClass, String instance, String xfer) throws Exception {
        Path dump = tmp.resolve(instance + ".txt");
        Files.writeString(dump, String.join("\n", "(0008,0016) UI [" + sopClass + "]", "(0008,0018) UI [" + instance + "]",
                "(0010,0010) PN [Mixed^Stream]", "(0020,000d) UI [" + STUDY + "]", "(0020,000e) UI [" + STUDY + ".1]",
                "(7fe0,0010) OW 0000\\1111\\2222\\3333", ""));
        Path out = tmp.resolve(instance + ".dcm");
        Dcmtk.Result r = Dcmtk.run(Duration.ofSeconds(30), "dump2dcm", xfer, dump.toString(), out.toString());
        assertThat(r.exitCode()).as(r.output()).isZero();
        return out;
    }

    private static long count(String text, String needle) {
        return text.lines().filter(l -> l.contains(needle)).count();
    }

    private DicomForward.Builder forwardTo(StoreScp pacs) {
        return DicomForward.to(DicomNode.of("PACS", "127.0.0.1", pacs.port())).idleRelease(Duration.ofMinutes(10))
                .responseTimeout(Duration.ofSeconds(15)).connectTimeout(Duration.ofSeconds(5));
    }

    @Test
    void mixedSopClassesAndSyntaxesRenegotiateOnceWithAPacsThatTakesOneAssociation() throws Exception {
        List<Path> mixed = List.of(object(CT, STUDY + ".1.1", "+te"), object(MR, STUDY + ".1.2", "+ti"),
                object(CT, STUDY + ".1.3", "+ti"), object(MR, STUDY + ".1.4", "+te"), object(CT, STUDY + ".1.5", "+te"));
        try (StoreScp pacs = StoreScp.start(tmp, "PACS", "-v", "+xa")) {
            DicomScp scp = DicomScp.port(0).bindAddress("127.0.0.1").build();
            DicomForward forward = forwardTo(pacs).build();
            try (Pipeline p = Pipeline.builder().name("renegotiate").frontend(scp).backend(forward).build()) {
                p.start();
                DicomClient modality = DicomClient.callingAe("MODALITY").build();
                DicomNode harmony = DicomNode.of("HARMONY", "127.0.0.1", scp.localPort());
                for (Path file : mixed) { // one modality association per object, as separate sends would be
                    assertThat(modality.store(harmony, List.of(file))).as(file.toString()).containsExactly(0);
                }
                assertThat(pacs.fileCount()).isEqualTo(5);
                String log = pacs.log();
                // CT/explicit first; MR/implicit needs a new context: release, then one association with
                // every SOP class seen in every syntax seen carries the rest.
                assertThat(count(log, "Association Acknowledged")).as(log).isEqualTo(2);
                assertThat(count(log, "Association Release")).as(log).isEqualTo(1);
                assertThat(log).doesNotContain("Abort");
                assertThat(forward.idleAssociations()).isEqualTo(1);
            }
            Dcmtk.await(Duration.ofSeconds(10), "the release at stop", () -> {
                try {
                    return count(pacs.log(), "Association Release") == 2;
                } catch (java.io.IOException e) {
                    return false;
                }
            });
        }
    }

    @Test
    void configuredContextsAndConcurrentSendersShareOneAssociation() throws Exception {
        List<Path> files = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            files.add(object(i % 2 == 0 ? CT : MR, STUDY + ".2." + i, i % 3 == 0 ? "+ti" : "+te"));
        }
        try (StoreScp pacs = StoreScp.start(tmp, "PACS", "-v", "+xa")) {
            DicomScp scp = DicomScp.port(0).bindAddress("127.0.0.1").build();
            DicomForward forward = forwardTo(pacs)
                    .propose(CT, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN)
                    .propose(MR, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN)
                    .build();
            ExecutorService senders = Executors.newFixedThreadPool(3);
            try (Pipeline p = Pipeline.builder().name("shared").frontend(scp).backend(forward).build()) {
                p.start();
                DicomNode harmony = DicomNode.of("HARMONY", "127.0.0.1", scp.localPort());
                List<Future<List<Integer>>> sent = new ArrayList<>();
                for (int s = 0; s < 3; s++) {
                    List<Path> mine = files.subList(2 * s, 2 * s + 2);
                    sent.add(senders.submit(() -> DicomClient.callingAe("MODALITY").build().store(harmony, mine)));
                }
                for (Future<List<Integer>> f : sent) {
                    assertThat(f.get(60, TimeUnit.SECONDS)).containsExactly(0, 0);
                }
                assertThat(pacs.fileCount()).isEqualTo(6);
                assertThat(count(pacs.log(), "Association Acknowledged")).as(pacs.log()).isEqualTo(1);
            } finally {
                senders.shutdownNow();
            }
        }
    }
}
