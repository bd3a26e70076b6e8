package dev.harmony.dicom.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.dicom.Dcmtk;
import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.Tags;
import dev.harmony.dicom.Uids;
import dev.harmony.dicom.backend.DicomFileStore;
import dev.harmony.dicom.internal.codec.ElementWriter;
import dev.harmony.dicom.internal.dimse.Command;
import dev.harmony.dicom.internal.dimse.CommandField;
import dev.harmony.dicom.internal.net.PDataWriter;
import dev.harmony.dicom.internal.net.PduType;
import dev.harmony.dicom.scu.DicomClient;
import dev.harmony.pipeline.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Legacy UIDs with leading-zero components are stored (as DCMTK and Orthanc do); values that could
 * name another path (separators, NUL, empty components, overlong) are still refused with A900.
 */
class LegacyUidTest {
    private static final String STUDY = "999.999.2.19940822.083000";
    private static final String SERIES = "999.999.2.19940822.083000.01";
    private static final String INSTANCE = "999.999.2.19940822.083000.0001";

    @TempDir
    Path tmp;
    private Path store;
    private DicomScp scp;
    private Pipeline pipeline;

    @BeforeEach
    void start() {
        store = tmp.resolve("store");
        scp = DicomScp.port(0).bindAddress("127.0.0.1").maxPduLength(16384).build();
        pipeline = Pipeline.builder().name("legacy").frontend(scp).backend(DicomFileStore.under(store).build()).build();
        pipeline.start();
    }

    @AfterEach
    void stop() {
        pipeline.close();
    }

    @Test
    void storescuSendsLegacyUidsAndTheObjectIsStored() throws Exception {
        Path dump = tmp.resolve("legacy.txt");
        Files.writeString(dump, String.join("\n",
                "(0008,0016) UI =CTImageStorage",
                "(0008,0018) UI [" + INSTANCE + "]",
                "(0008,0060) CS [CT]",
                "(0010,0010) PN [Legacy^Patient]",
                "(0020,000d) UI [" + STUDY + "]",
                "(0020,000e) UI [" + SERIES + "]", ""));
        Path object = tmp.resolve("legacy.dcm");
        Dcmtk.Result made = Dcmtk.run(Duration.ofSeconds(30), "dump2dcm", "+te", dump.toString(), object.toString());
        assertThat(made.exitCode()).as(made.output()).isZero();
        Dcmtk.Result sent = Dcmtk.run(Duration.ofSeconds(60), "storescu", "-aet", "MODALITY", "-aec", "HARMONY",
                "127.0.0.1", String.valueOf(scp.localPort()), object.toString());
        assertThat(sent.exitCode()).as(sent.output()).isZero();
        assertThat(sent.output()).doesNotContain("Error");
        assertThat(store.resolve(STUDY).resolve(SERIES).resolve(INSTANCE + ".dcm")).isRegularFile();
    }

    @Test
    void hostileInstanceUidsAreRefusedAndNothingIsWritten() throws Exception {
        String[] hostile = {"../../etc/passwd", "1.2" + (char) 0 + "3", "1." + "2".repeat(63), "1..2", ".", "1.2.",
            "1/2", "", "1.2\\3"};
        try (RawPeer peer = new RawPeer(scp.localPort())) {
            assertThat(peer.associate("RAW", "HARMONY").type()).isEqualTo(PduType.ASSOCIATE_AC);
            int messageId = 1;
            for (String uid : hostile) {
                Command rsp = store(peer, messageId++, uid, "1.2.3", "1.2.3.4");
                assertThat(rsp.status()).as("status for '%s'", uid).isEqualTo(0xA900);
                assertThat(rsp.string(Command.ERROR_COMMENT)).isPresent();
            }
            // The same, with a hostile study UID only in the data set.
            Command rsp = store(peer, messageId++, "1.2.3.4.5", "1.2/../../x", "1.2.3.4");
            assertThat(rsp.status()).isEqualTo(0xA900);
            // A legacy UID on the same association is stored.
            assertThat(store(peer, messageId, "1.02.003", "1.02", "1.02.0").status()).isZero();
        }
        Dcmtk.await(Duration.ofSeconds(10), "association to end", () -> scp.activeAssociations() == 0);
        try (Stream<Path> files = Files.walk(tmp)) {
            assertThat(files.filter(Files::isRegularFile).map(p -> store.relativize(p).toString()))
                    .containsExactly("1.02/1.02.0/1.02.003.dcm");
        }
        assertThat(DicomClient.callingAe("MODALITY").build().echo(DicomNode.of("HARMONY", "127.0.0.1",
                scp.localPort()))).isZero();
    }

    /** A complete C-STORE on context 1 (CT, explicit VR LE); returns the C-STORE-RSP. */
    private static Command store(RawPeer peer, int messageId, String instance, String study, String series)
            throws Exception {
        byte[] dataset = ElementWriter.explicitLittleEndian().uid(Tags.SOP_CLASS_UID, Uids.CT_IMAGE_STORAGE)
                .uid(Tags.SOP_INSTANCE_UID, instance).uid(Tags.STUDY_INSTANCE_UID, study)
                .uid(Tags.SERIES_INSTANCE_UID, series).bytes(Tags.PIXEL_DATA, "OW", new byte[64]).toByteArray();
        PDataWriter.sendAll(peer.out, peer, 16384, 1, true, Command.request(CommandField.C_STORE_RQ, messageId,
                Uids.CT_IMAGE_STORAGE, true).setUs(Command.PRIORITY, 0)
                .setUid(Command.AFFECTED_SOP_INSTANCE_UID, instance).encode());
        PDataWriter.sendAll(peer.out, peer, 16384, 1, false, dataset);
        return RawPeer.command(peer.read());
    }
}
