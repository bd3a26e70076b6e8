package dev.harmony.dicom.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.dicom.Dcmtk;
import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.LogCapture;
import dev.harmony.dicom.Tags;
import dev.harmony.dicom.Uids;
import dev.harmony.dicom.backend.DicomFileStore;
import dev.harmony.dicom.backend.DicomForward;
import dev.harmony.dicom.internal.codec.ElementWriter;
import dev.harmony.dicom.internal.dimse.Command;
import dev.harmony.dicom.internal.dimse.CommandField;
import dev.harmony.dicom.internal.net.PDataWriter;
import dev.harmony.dicom.internal.net.PduCodec;
import dev.harmony.dicom.internal.net.PduType;
import dev.harmony.dicom.scu.DicomClient;
import dev.harmony.pipeline.Backend;
import dev.harmony.pipeline.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sender that aborts, vanishes or sends a truncated data set is the sender's problem: the association
 * ends with one INFO line (no ERROR, no stack trace, no "internal error"), a truncated data set is
 * answered C000, nothing half-written is visible, and the listener keeps serving.
 */
class PeerFailureTest {
    private static final String INSTANCE = "1.2.826.0.1.3680043.2.1125.7.1";

    @TempDir
    Path tmp;
    private Path store;
    private DicomScp scp;
    private Pipeline pipeline;
    private LogCapture log;

    private void start(Backend backend) {
        log = new LogCapture();
        scp = DicomScp.port(0).bindAddress("127.0.0.1").maxPduLength(16384).idleTimeout(Duration.ofSeconds(5)).build();
        pipeline = Pipeline.builder().name("peer-failure").frontend(scp).backend(backend).build();
        pipeline.start();
    }

    private void startWithStore() {
        store = tmp.resolve("store");
        start(DicomFileStore.under(store).build());
    }

    @AfterEach
    void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
        if (log != null) {
            log.close();
        }
    }

    private static byte[] dataset(String instance) {
        return ElementWriter.explicitLittleEndian().uid(Tags.SOP_CLASS_UID, Uids.CT_IMAGE_STORAGE)
                .uid(Tags.SOP_INSTANCE_UID, instance).uid(Tags.STUDY_INSTANCE_UID, "1.2.3")
                .uid(Tags.SERIES_INSTANCE_UID, "1.2.3.4").bytes(Tags.PIXEL_DATA, "OW", new byte[4000]).toByteArray();
    }

    /** The association's summary line, once it ended; then checks nothing worse was logged. */
    private String assertQuietEnd(String expectedOutcome) throws Exception {
        Dcmtk.await(Duration.ofSeconds(10), "the association summary", () -> log.text().contains(expectedOutcome));
        Dcmtk.await(Duration.ofSeconds(10), "associations to end", () -> scp.activeAssociations() == 0);
        String text = log.text();
        String line = text.lines().filter(l -> l.contains(expectedOutcome)).findFirst().orElseThrow();
        assertThat(line).contains(" INFO ");
        assertThat(text).doesNotContain(" ERROR ").doesNotContain("\tat ").doesNotContain("internal error")
                .doesNotContain("Exception");
        return line;
    }

    private void assertNothingStoredAndStillServing() throws Exception {
        if (store != null && Files.exists(store)) {
            try (Stream<Path> files = Files.walk(store)) {
                assertThat(files.filter(Files::isRegularFile)).isEmpty();
            }
        }
        assertThat(DicomClient.callingAe("MODALITY").build().echo(DicomNode.of("HARMONY", "127.0.0.1",
                scp.localPort()))).isZero();
    }

    @Test
    void abortInTheMiddleOfADataSetIsLoggedAtInfo() throws Exception {
        startWithStore();
        try (RawPeer peer = new RawPeer(scp.localPort())) {
            assertThat(peer.associate("RAW", "HARMONY").type()).isEqualTo(PduType.ASSOCIATE_AC);
            peer.startStore(INSTANCE, Arrays.copyOf(dataset(INSTANCE), 1000));
            peer.send(PduCodec.abort(0, 0));
            assertThat(peer.closedByServer()).isTrue();
        }
        assertThat(assertQuietEnd("aborted by peer")).contains("association A1 from RAW");
        assertNothingStoredAndStillServing();
    }

    @Test
    void connectionClosedInsideAPdvIsLoggedAtInfo() throws Exception {
        startWithStore();
        try (RawPeer peer = new RawPeer(scp.localPort())) {
            assertThat(peer.associate("RAW", "HARMONY").type()).isEqualTo(PduType.ASSOCIATE_AC);
            sendCommand(peer, 1, INSTANCE);
            byte[] fragment = Arrays.copyOf(dataset(INSTANCE), 300);
            byte[] pdu = new byte[12 + fragment.length];
            pdu[0] = 4;
            RawPeer.put32(pdu, 2, 6 + 2000); // announces 2000 bytes, sends 300, then FIN
            RawPeer.put32(pdu, 6, 2 + 2000);
            pdu[10] = 1;
            pdu[11] = 2; // last fragment, data
            System.arraycopy(fragment, 0, pdu, 12, fragment.length);
            peer.send(pdu);
        }
        assertQuietEnd("connection lost");
        assertNothingStoredAndStillServing();
    }

    @Test
    void connectionResetInTheMiddleOfADataSetIsLoggedAtInfo() throws Exception {
        startWithStore();
        RawPeer peer = new RawPeer(scp.localPort());
        assertThat(peer.associate("RAW", "HARMONY").type()).isEqualTo(PduType.ASSOCIATE_AC);
        peer.startStore(INSTANCE, Arrays.copyOf(dataset(INSTANCE), 1000));
        peer.socket.setSoLinger(true, 0); // RST
        peer.close();
        assertQuietEnd("association A1 from RAW");
        assertNothingStoredAndStillServing();
    }

    @Test
    void truncatedDataSetsAreAnsweredC000AndNotStored() throws Exception {
        startWithStore();
        byte[] whole = dataset(INSTANCE);
        try (RawPeer peer = new RawPeer(scp.localPort())) {
            assertThat(peer.associate("RAW", "HARMONY").type()).isEqualTo(PduType.ASSOCIATE_AC);
            // Cut inside the pixel data value (past the elements the store reads first).
            Command rsp = store(peer, 1, INSTANCE, Arrays.copyOf(whole, whole.length - 100));
            assertThat(rsp.status()).isEqualTo(0xC000);
            assertThat(rsp.string(Command.ERROR_COMMENT).orElse("")).contains("truncated");
            // Cut inside the Study Instance UID.
            int studyAt = indexOf(whole, "1.2.3".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 80);
            assertThat(store(peer, 2, INSTANCE, Arrays.copyOf(whole, studyAt + 2)).status()).isEqualTo(0xC000);
            // A stray byte after the last element.
            byte[] surplus = Arrays.copyOf(whole, whole.length + 1);
            assertThat(store(peer, 3, INSTANCE, surplus).status()).isEqualTo(0xC000);
            try (Stream<Path> files = Files.walk(tmp)) {
                assertThat(files.filter(Files::isRegularFile)).as("no file, not even a temporary one").isEmpty();
            }
            // The same association still stores a whole one.
            assertThat(store(peer, 4, INSTANCE, whole).status()).isZero();
            peer.send(PduCodec.releaseRequest());
            assertThat(peer.read().type()).isEqualTo(PduType.RELEASE_RP);
        }
        assertQuietEnd("released");
        try (Stream<Path> files = Files.walk(store)) {
            assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()))
                    .containsExactly(INSTANCE + ".dcm");
        }
    }

    @Test
    void senderAbortWhileForwardingIsLoggedAtInfoAndThePacsAssociationIsAborted() throws Exception {
        int pacsPort = Dcmtk.freePort();
        Path received = Files.createDirectories(tmp.resolve("pacs"));
        Process pacs = Dcmtk.start(tmp.resolve("storescp.log"), "storescp", "--output-directory", received.toString(),
                "-aet", "PACS", String.valueOf(pacsPort));
        try {
            Dcmtk.awaitListening(pacsPort, Duration.ofSeconds(20), pacs);
            start(DicomForward.to(DicomNode.of("PACS", "127.0.0.1", pacsPort)).build());
            try (RawPeer peer = new RawPeer(scp.localPort())) {
                assertThat(peer.associate("RAW", "HARMONY").type()).isEqualTo(PduType.ASSOCIATE_AC);
                peer.startStore(INSTANCE, Arrays.copyOf(dataset(INSTANCE), 1000));
                peer.send(PduCodec.abort(0, 0));
                assertThat(peer.closedByServer()).isTrue();
            }
            assertQuietEnd("aborted by peer");
            assertNothingStoredAndStillServing();
            try (Stream<Path> files = Files.walk(received)) {
                assertThat(files.filter(Files::isRegularFile)).as("the PACS stored nothing").isEmpty();
            }
        } finally {
            pacs.destroy();
            pacs.waitFor();
        }
    }

    @Test
    void aSenderThatStopsReadingIsCutOffAfterTheIdleTimeout() throws Exception {
        startWithStore();
        java.net.Socket socket = new java.net.Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", scp.localPort()));
        try (RawPeer peer = new RawPeer(socket)) {
            assertThat(peer.associate("RAW", "HARMONY").type()).isEqualTo(PduType.ASSOCIATE_AC);
            assertThat(floodWithEchoes(peer)).as("the listener stopped reading and then closed").isTrue();
        }
        Dcmtk.await(Duration.ofSeconds(30), "the association to end", () -> scp.activeAssociations() == 0);
        assertNothingStoredAndStillServing();
    }

    /**
     * Sends C-ECHO-RQs on context 1 without reading a single response, until the connection fails
     * (true) or a bound is reached (false); gives up after 60 s (the socket is then closed).
     */
    static boolean floodWithEchoes(RawPeer peer) throws Exception {
        // Its own thread: a task on the shared pool could wait behind another test's leftovers.
        java.util.concurrent.FutureTask<Boolean> flood = new java.util.concurrent.FutureTask<>(() -> flood(peer.out));
        Thread writer = new Thread(flood, "echo-flood");
        writer.setDaemon(true);
        writer.start();
        try {
            return flood.get(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            peer.close();
            throw new AssertionError("the listener neither read nor closed the connection within 60 s");
        }
    }

    private static boolean flood(java.io.OutputStream out) {
        java.io.ByteArrayOutputStream batch = new java.io.ByteArrayOutputStream();
        try {
            for (int i = 1; i <= 1000; i++) {
                PDataWriter.sendAll(batch, batch, 16384, 1, true, Command.request(CommandField.C_ECHO_RQ, i,
                        Uids.VERIFICATION, false).encode());
            }
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        byte[] echoes = batch.toByteArray();
        try {
            for (int round = 0; round < 20_000; round++) { // at most 20 M requests
                out.write(echoes);
            }
            return false;
        } catch (java.io.IOException expected) {
            return true;
        }
    }

    private static void sendCommand(RawPeer peer, int messageId, String instance) throws Exception {
        PDataWriter.sendAll(peer.out, peer, 16384, 1, true, Command.request(CommandField.C_STORE_RQ, messageId,
                Uids.CT_IMAGE_STORAGE, true).setUs(Command.PRIORITY, 0)
                .setUid(Command.AFFECTED_SOP_INSTANCE_UID, instance).encode());
    }

    private static Command store(RawPeer peer, int messageId, String instance, byte[] dataset) throws Exception {
        sendCommand(peer, messageId, instance);
        PDataWriter.sendAll(peer.out, peer, 16384, 1, false, dataset);
        return RawPeer.command(peer.read());
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        for (int i = from; i <= haystack.length - needle.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }
}
