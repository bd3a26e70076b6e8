package dev.harmony.dicom.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.dicom.LogCapture;
import dev.harmony.dicom.Tags;
import dev.harmony.dicom.Uids;
import dev.harmony.dicom.backend.DicomFileStore;
import dev.harmony.dicom.internal.codec.ElementReader;
import dev.harmony.dicom.internal.codec.ElementWriter;
import dev.harmony.dicom.internal.dimse.Command;
import dev.harmony.dicom.internal.dimse.CommandField;
import dev.harmony.dicom.internal.net.PDataWriter;
import dev.harmony.dicom.internal.net.PduType;
import dev.harmony.pipeline.Pipeline;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A data set of sequences nested far deeper than any real object: refused, never a stack overflow. */
class DeepNestingTest {
    @TempDir
    Path tmp;
    private Pipeline pipeline;

    @AfterEach
    void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    /** (0008,0006) SQ of undefined length holding an item holding the next, {@code depth} deep, then a CT header. */
    static byte[] nested(String instance, int depth) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(depth * 36 + 512);
        byte[] sq = {0x08, 0x00, 0x06, 0x00, 'S', 'Q', 0, 0, -1, -1, -1, -1};
        byte[] item = {-2, -1, 0x00, -32, -1, -1, -1, -1};
        byte[] itemEnd = {-2, -1, 0x0D, -32, 0, 0, 0, 0};
        byte[] sqEnd = {-2, -1, (byte) 0xDD, -32, 0, 0, 0, 0};
        for (int i = 0; i < depth; i++) {
            b.writeBytes(sq);
            b.writeBytes(item);
        }
        for (int i = 0; i < depth; i++) {
            b.writeBytes(itemEnd);
            b.writeBytes(sqEnd);
        }
        b.writeBytes(ElementWriter.explicitLittleEndian().uid(Tags.SOP_CLASS_UID, Uids.CT_IMAGE_STORAGE)
                .uid(Tags.SOP_INSTANCE_UID, instance).uid(Tags.STUDY_INSTANCE_UID, "1.2.3")
                .uid(Tags.SERIES_INSTANCE_UID, "1.2.3.4").bytes(Tags.PIXEL_DATA, "OW", new byte[64]).toByteArray());
        return b.toByteArray();
    }

    private static Command store(RawPeer peer, int id, String instance, byte[] data) throws Exception {
        // written from another thread: the listener may refuse before it has read it all
        CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
            try {
                PDataWriter.sendAll(peer.out, peer, 16384, 1, true, Command.request(CommandField.C_STORE_RQ, id,
                        Uids.CT_IMAGE_STORAGE, true).setUs(Command.PRIORITY, 0)
                        .setUid(Command.AFFECTED_SOP_INSTANCE_UID, instance).encode());
                PDataWriter.sendAll(peer.out, peer, 16384, 1, false, data);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Command rsp = RawPeer.command(peer.read());
        sent.get(30, TimeUnit.SECONDS);
        return rsp;
    }

    @Test
    void aStoreOfAbsurdlyDeepSequencesIsRefusedAndTheAssociationGoesOn() throws Exception {
        try (LogCapture log = new LogCapture()) {
            DicomScp scp = DicomScp.port(0).bindAddress("127.0.0.1").maxPduLength(16384).build();
            pipeline = Pipeline.builder().name("deep").frontend(scp).backend(DicomFileStore.under(tmp).build())
                    .build();
            pipeline.start();
            try (RawPeer peer = new RawPeer(scp.localPort())) {
                assertThat(peer.associate("RAW", "HARMONY").type()).isEqualTo(PduType.ASSOCIATE_AC);
                // 200,000 levels in 7 MB, within the store's 16 MB header limit: used to overflow the stack
                Command deep = store(peer, 1, "1.2.826.0.1.3680043.2.1125.11.1",
                        nested("1.2.826.0.1.3680043.2.1125.11.1", 200_000));
                assertThat(deep.status()).isEqualTo(0xC000); // the sender's data set, not our failure (0110)
                assertThat(deep.string(Command.ERROR_COMMENT).orElse("")).contains("nested over");
                // as deep as the limit allows is stored, on the same association
                Command allowed = store(peer, 2, "1.2.826.0.1.3680043.2.1125.11.2",
                        nested("1.2.826.0.1.3680043.2.1125.11.2", ElementReader.MAX_DEPTH));
                assertThat(allowed.status()).isZero();
            }
            assertThat(log.text()).doesNotContain("StackOverflowError").doesNotContain(" ERROR ");
        }
    }

    @Test
    void theTranscoderRefusesThemToo() {
        byte[] deep = nested("1.2.3.4.5", 200_000);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.harmony.dicom.internal.codec.ToImplicitVr
                .transcode(new java.io.ByteArrayInputStream(deep), java.io.OutputStream.nullOutputStream()))
                .isInstanceOf(dev.harmony.dicom.DicomFormatException.class).hasMessageContaining("nested over");
    }
}
