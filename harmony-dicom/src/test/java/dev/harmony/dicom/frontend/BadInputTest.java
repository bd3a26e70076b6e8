package dev.harmony.dicom.frontend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.harmony.dicom.Dcmtk;
import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.Tags;
import dev.harmony.dicom.Uids;
import dev.harmony.dicom.backend.DicomFileStore;
import dev.harmony.dicom.internal.codec.ElementWriter;
import dev.harmony.dicom.internal.net.PduCodec;
import dev.harmony.dicom.internal.net.PduType;
import dev.harmony.dicom.middleware.AeTitleCheck;
import dev.harmony.dicom.scu.AssociationRejectedException;
import dev.harmony.dicom.scu.DicomClient;
import dev.harmony.dicom.scu.Proposal;
import dev.harmony.dicom.scu.ScuAssociation;
import dev.harmony.pipeline.Pipeline;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken and unfinished traffic on raw sockets: PS3.8 answers, no partial files, the listener keeps serving. */
class BadInputTest {
    private static final String INSTANCE = "1.2.826.0.1.3680043.2.1125.5.1";

    @TempDir
    Path tmp;
    private Path store;
    private DicomScp scp;
    private Pipeline pipeline;

    @BeforeEach
    void start() {
        store = tmp.resolve("store");
        scp = DicomScp.port(0).bindAddress("127.0.0.1").maxPduLength(16384).maxAssociations(2)
                .artimTimeout(Duration.ofSeconds(1)).idleTimeout(Duration.ofSeconds(2)).build();
        pipeline = Pipeline.builder().name("bad-input").frontend(scp).use(AeTitleCheck.allow("RAW", "MODALITY").build())
                .backend(DicomFileStore.under(store).build()).build();
        pipeline.start();
    }

    @AfterEach
    void stop() {
        pipeline.close();
    }

    private void assertAbort(RawPeer.Pdu pdu, int reason) {
        assertThat(pdu.type()).as("PDU type").isEqualTo(PduType.ABORT);
        assertThat(pdu.body()[2]).as("abort source").isEqualTo((byte) 2);
        assertThat(pdu.body()[3]).as("abort reason").isEqualTo((byte) reason);
    }

    /** After each case: no file at all in the store, and a normal association still works. */
    private void assertNothingStoredAndStillServing() throws Exception {
        Dcmtk.await(Duration.ofSeconds(10), "associations to end", () -> scp.activeAssociations() == 0);
        if (Files.exists(store)) {
            try (Stream<Path> files = Files.walk(store)) {
                assertThat(files.filter(Files::isRegularFile)).isEmpty();
            }
        }
        assertThat(DicomClient.callingAe("MODALITY").build().echo(DicomNode.of("HARMONY", "127.0.0.1", scp.localPort())))
                .isZero();
    }

    private static byte[] datasetStart() {
        return ElementWriter.explicitLittleEndian().uid(Tags.SOP_CLASS_UID, Uids.CT_IMAGE_STORAGE)
                .uid(Tags.SOP_INSTANCE_UID, INSTANCE).uid(Tags.STUDY_INSTANCE_UID, "1.2.3")
                .uid(Tags.SERIES_INSTANCE_UID, "1.2.3.4")
                .bytes(Tags.PIXEL_DATA, "OW", new byte[4000]).toByteArray();
    }

    @Test
    void garbageIsAnsweredWithAbortUnrecognizedPdu() throws Exception {
        try (RawPeer peer = new RawPeer(scp.localPort())) {
            peer.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertAbort(peer.read(), 1);
            assertThat(peer.closedByServer()).isTrue();
        }
        assertNothingStoredAndStillServing();
    }

    @Test
    void unknownPduTypeIsAnsweredWithAbort() throws Exception {
        try (RawPeer peer = new RawPeer(scp.localPort())) {
            peer.send(new byte[] {0x09, 0, 0, 0, 0, 4, 1, 2, 3, 4});
            assertAbort(peer.read(), 1);
        }
        assertNothingStoredAndStillServing();
    }

    @Test
    void dataBeforeAssociationIsAnUnexpectedPdu() throws Exception {
        try (RawPeer peer = new RawPeer(scp.localPort())) {
            peer.send(new byte[] {0x04, 0, 0, 0, 0, 6, 0, 0, 0, 2, 1, 3});
            assertAbort(peer.read(), 2);
        }
        assertNothingStoredAndStillServing();
    }

    @Test
    void pduLongerThanNegotiatedMaximumIsAborted() throws Exception {
        try (RawPeer peer = new RawPeer(scp.localPort())) {
            assertThat(peer.associate("RAW", "HARMONY").type()).isEqualTo(PduType.ASSOCIATE_AC);
            byte[] pdu = new byte[6];
            pdu[0] = 4;
            RawPeer.put32(pdu, 2, 16385);
            peer.send(pdu);
            assertAbort(peer.read(), 6);
            assertThat(peer.closedByServer()).isTrue();
        }
        assertNothingStoredAndStillServing();
    }

    @Test
    void connectionClosedMidObjectLeavesNoFile() throws Exception {
        try (RawPeer peer = new RawPeer(scp.localPort())) {
            assertThat(peer.associate("RAW", "HARMONY").type()).isEqualTo(PduType.ASSOCIATE_AC);
            peer.startStore(INSTANCE, datasetStart());
        }
        assertNothingStoredAndStillServing();
    }

    @Test
    void clientVanishingWithResetLeavesNoFile() throws Exception {
        RawPeer peer = new RawPeer(scp.localPort());
        assertThat(peer.associate("RAW", "HARMONY").type()).isEqualTo(PduType.ASSOCIATE_AC);
        peer.startStore(INSTANCE, datasetStart());
        peer.socket.setSoLinger(true, 0); // RST instead of FIN
        peer.close();
        assertNothingStoredAndStillServing();
    }

    @Test
    void abortMidObjectLeavesNoFile() throws Exception {
        try (RawPeer peer = new RawPeer(scp.localPort())) {
            assertThat(peer.associate("RAW", "HARMONY").type()).isEqualTo(PduType.ASSOCIATE_AC);
            peer.startStore(INSTANCE, datasetStart());
            peer.send(PduCodec.abort(0, 0));
            assertThat(peer.closedByServer()).isTrue();
        }
        assertNothingStoredAndStillServing();
    }

    @Test
    void releaseInTheMiddleOfADataSetIsAborted() throws Exception {
        try (RawPeer peer = new RawPeer(scp.localPort())) {
            assertThat(peer.associate("RAW", "HARMONY").type()).isEqualTo(PduType.ASSOCIATE_AC);
            peer.startStore(INSTANCE, datasetStart());
            peer.send(PduCodec.releaseRequest());
            assertAbort(peer.read(), 2);
        }
        assertNothingStoredAndStillServing();
    }

    @Test
    void silentPeerIsClosedAfterArtimAndIdlePeerIsAborted() throws Exception {
        try (RawPeer silent = new RawPeer(scp.localPort())) {
            assertThat(silent.read().type()).as("closed without a PDU").isEqualTo(-1);
        }
        try (RawPeer idle = new RawPeer(scp.localPort())) {
            assertThat(idle.associate("RAW", "HARMONY").type()).isEqualTo(PduType.ASSOCIATE_AC);
            assertAbort(idle.read(), 0);
        }
        assertNothingStoredAndStillServing();
    }

    @Test
    void associationsBeyondTheLimitGetATransientReject() throws Exception {
        DicomClient client = DicomClient.callingAe("MODALITY").build();
        DicomNode node = DicomNode.of("HARMONY", "127.0.0.1", scp.localPort());
        ScuAssociation first = client.open(node, List.of(Proposal.verification()));
        ScuAssociation second = client.open(node, List.of(Proposal.verification()));
        assertThatThrownBy(() -> client.open(node, List.of(Proposal.verification())))
                .isInstanceOfSatisfying(AssociationRejectedException.class,
                        e -> assertThat(List.of(e.result(), e.source(), e.reason())).containsExactly(2, 3, 2));
        assertThat(first.echo()).isZero();
        first.close();
        second.close();
        assertNothingStoredAndStillServing();
    }

    @Test
    void stopAbortsOpenAssociationsWithinBoundedTime() throws Exception {
        int port = scp.localPort();
        RawPeer peer = new RawPeer(port);
        assertThat(peer.associate("RAW", "HARMONY").type()).isEqualTo(PduType.ASSOCIATE_AC);
        long started = System.nanoTime();
        pipeline.close();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(6));
        RawPeer.Pdu last = peer.read();
        assertThat(last.type()).isIn(PduType.ABORT, -1);
        peer.close();
        assertThatThrownBy(() -> new RawPeer(port).read()).as("the listening port is closed").isInstanceOf(IOException.class);
    }
}
