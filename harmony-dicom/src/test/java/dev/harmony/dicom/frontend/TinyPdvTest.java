package dev.harmony.dicom.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.dicom.Tags;
import dev.harmony.dicom.Uids;
import dev.harmony.dicom.backend.DicomFileStore;
import dev.harmony.dicom.internal.codec.ElementWriter;
import dev.harmony.dicom.internal.dimse.Command;
import dev.harmony.dicom.internal.dimse.CommandField;
import dev.harmony.dicom.internal.net.PduType;
import dev.harmony.pipeline.Pipeline;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sender that cuts its command and data set into 1-byte PDVs, packed many to a P-DATA-TF or one
 * each: the object is stored byte for byte and answered like any other, directly or through a DicomForward.
 */
class TinyPdvTest {
    @TempDir
    Path tmp;
    private final List<Pipeline> pipelines = new java.util.ArrayList<>();

    @AfterEach
    void stop() {
        for (int i = pipelines.size() - 1; i >= 0; i--) {
            pipelines.get(i).close();
        }
    }

    private int start(String name, dev.harmony.pipeline.Backend backend) {
        DicomScp scp = DicomScp.port(0).bindAddress("127.0.0.1").maxPduLength(16384).build();
        Pipeline p = Pipeline.builder().name(name).frontend(scp).backend(backend).build();
        p.start();
        pipelines.add(p);
        return scp.localPort();
    }

    private static byte[] dataset(String instance, int pixels) {
        byte[] pixel = new byte[pixels];
        for (int i = 0; i < pixel.length; i++) {
            pixel[i] = (byte) (i * 7);
        }
        return ElementWriter.explicitLittleEndian().uid(Tags.SOP_CLASS_UID, Uids.CT_IMAGE_STORAGE)
                .uid(Tags.SOP_INSTANCE_UID, instance).uid(Tags.STUDY_INSTANCE_UID, "1.2.3")
                .uid(Tags.SERIES_INSTANCE_UID, "1.2.3.4").bytes(Tags.PIXEL_DATA, "OW", pixel).toByteArray();
    }

    /**
     * {@code command} then {@code data} as 1-byte PDVs, {@code perPdu} of them to a P-DATA-TF (so one
     * P-DATA-TF may carry the command's last PDV and the data set's first), each value's last one flagged last.
     */
    private static byte[] onePerByte(byte[] command, byte[] data, int perPdu) {
        int total = command.length + data.length;
        ByteArrayOutputStream out = new ByteArrayOutputStream(total * 13);
        for (int i = 0; i < total; i += perPdu) {
            int n = Math.min(perPdu, total - i);
            byte[] pdu = new byte[6 + 7 * n];
            pdu[0] = PduType.P_DATA_TF;
            RawPeer.put32(pdu, 2, 7L * n);
            for (int j = 0; j < n; j++) {
                int k = i + j;
                boolean isCommand = k < command.length;
                boolean last = isCommand ? k == command.length - 1 : k == total - 1;
                int at = 6 + 7 * j;
                RawPeer.put32(pdu, at, 3);
                pdu[at + 4] = 1;
                pdu[at + 5] = (byte) ((isCommand ? 1 : 0) | (last ? 2 : 0));
                pdu[at + 6] = isCommand ? command[k] : data[k - command.length];
            }
            out.writeBytes(pdu);
        }
        return out.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void oneBytePdvsManyToAPduOrOneEachAreStoredWhole(boolean relayed) throws Exception {
        Path store = tmp.resolve("store");
        int port = start("tiny-pdv", DicomFileStore.under(store).build());
        if (relayed) { // the same bytes through a DicomForward to that store
            port = start("tiny-pdv-relay", dev.harmony.dicom.backend.DicomForward.to(
                    dev.harmony.dicom.DicomNode.of("HARMONY", "127.0.0.1", port)).build());
        }
        try (RawPeer peer = new RawPeer(port)) {
            assertThat(peer.associate("RAW", "HARMONY").type()).isEqualTo(PduType.ASSOCIATE_AC);
            int id = 0;
            for (int perPdu : List.of(2000, 1)) {
                id++;
                String instance = "1.2.826.0.1.3680043.2.1125.9." + id;
                byte[] data = dataset(instance, 64 * 1024);
                byte[] command = Command.request(CommandField.C_STORE_RQ, id, Uids.CT_IMAGE_STORAGE, true)
                        .setUs(Command.PRIORITY, 0).setUid(Command.AFFECTED_SOP_INSTANCE_UID, instance).encode();
                byte[] all = onePerByte(command, data, perPdu);
                // written from another thread: the listener may answer before it read it all (it does not here)
                CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                    try {
                        peer.send(all);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                Command rsp = RawPeer.command(peer.read());
                sent.get(30, TimeUnit.SECONDS);
                assertThat(rsp.status()).as(rsp.string(Command.ERROR_COMMENT).orElse("")).isZero();
                try (Stream<Path> files = Files.walk(store)) {
                    Path file = files.filter(f -> f.getFileName().toString().equals(instance + ".dcm")).findFirst()
                            .orElseThrow();
                    byte[] stored = Files.readAllBytes(file);
                    assertThat(java.util.Arrays.copyOfRange(stored, stored.length - data.length, stored.length))
                            .as("the data set as stored").isEqualTo(data);
                }
            }
        }
    }
}
