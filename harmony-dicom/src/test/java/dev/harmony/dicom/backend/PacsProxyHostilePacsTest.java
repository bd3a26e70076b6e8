package dev.harmony.dicom.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.frontend.DicomScp;
import dev.harmony.dicom.internal.dimse.Command;
import dev.harmony.dicom.internal.dimse.CommandField;
import dev.harmony.dicom.internal.net.PduType;
import dev.harmony.dicom.query.Dataset;
import dev.harmony.dicom.query.DicomQuery;
import dev.harmony.dicom.query.QueryKeys;
import dev.harmony.dicom.query.QueryLevel;
import dev.harmony.dicom.query.QueryModel;
import dev.harmony.dicom.query.RetrieveOutcome;
import dev.harmony.dicom.scu.DicomClient;
import dev.harmony.pipeline.Pipeline;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The relayed C-MOVE against a raw-socket PACS that misbehaves after the C-MOVE-RQ: it aborts after one
 * Pending response, sends a response to another message or a command that cannot be decoded, never
 * answers, or ignores the relayed C-CANCEL. The modality always gets a protocol-correct final response
 * (bounded by the proxy's response timeout, 1 s here), and the listener keeps serving.
 */
class PacsProxyHostilePacsTest {
    private static final DicomQuery STUDY = DicomQuery.of(QueryModel.STUDY_ROOT, QueryLevel.STUDY,
            new Dataset().set(QueryKeys.STUDY_INSTANCE_UID, "1.2.826.0.1.3680043.9.7777.1"));
    private final DicomClient client = DicomClient.callingAe("MODALITY").build();

    /** Runs the modality's C-MOVE through a proxy to a raw PACS playing {@code script}; returns the final outcome. */
    private RetrieveOutcome moveThrough(RawPacs.Script script, boolean cancelAtFirstPending, List<String> seen) throws Exception {
        return moveThrough(script, cancelAtFirstPending, seen, false);
    }

    /** As above; with {@code fetch}, the proxy retrieves and sends on, so the raw PACS gets a C-GET-RQ. */
    private RetrieveOutcome moveThrough(RawPacs.Script script, boolean cancelAtFirstPending, List<String> seen, boolean fetch)
            throws Exception {
        try (RawPacs pacs = new RawPacs(fetch ? CommandField.C_GET_RQ : CommandField.C_MOVE_RQ, script)) {
            PacsProxy.Builder proxy = PacsProxy.to(pacs.node())
                    .responseTimeout(Duration.ofSeconds(1));
            if (fetch) {
                proxy.retrieveAndSend(java.util.Map.of("DEST", request -> dev.harmony.message.Response.ok()));
            }
            Pipeline p = Pipeline.builder().name("proxy")
                    .frontend(DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("HARMONY").build())
                    .backend(proxy.build())
                    .build();
            p.start();
            try (p) {
                DicomNode harmony = DicomNode.of("HARMONY", "127.0.0.1", ((DicomScp) p.frontend()).localPort());
                RetrieveOutcome end = client.move(harmony, STUDY, "DEST", o -> !cancelAtFirstPending);
                seen.add(pacs.played());
                assertThat(client.echo(harmony)).as("the listener still serves").isZero();
                return end;
            }
        }
    }

    @Test
    void aPacsThatAbortsAfterOnePendingGivesB000WithTheUnconfirmedCountedFailed() throws Exception {
        List<String> seen = new ArrayList<>();
        RetrieveOutcome end = moveThrough(peer -> {
            peer.pending(4, 1);
            peer.abort();
            return "aborted";
        }, false, seen);
        assertThat(end).as("one completed before the break: B000").isEqualTo(new RetrieveOutcome(0xB000, -1, 1, 4, 0));
    }

    @Test
    void aResponseToAnotherMessageIsAbortedAndTheModalityGetsB000() throws Exception {
        List<String> seen = new ArrayList<>();
        RetrieveOutcome end = moveThrough(peer -> {
            peer.pending(4, 1);
            Command other = Command.of(CommandField.C_MOVE_RSP).setUs(Command.MESSAGE_ID_BEING_RESPONDED_TO,
                    peer.request().messageId() + 7).setUs(Command.COMMAND_DATA_SET_TYPE, Command.NO_DATA_SET)
                    .setUs(Command.STATUS, 0xFF00);
            peer.command(other);
            return peer.next();
        }, false, seen);
        assertThat(seen).containsExactly("A-ABORT");
        assertThat(end).as("one completed before the break: B000").isEqualTo(new RetrieveOutcome(0xB000, -1, 1, 4, 0));
    }

    @Test
    void aCommandThatCannotBeDecodedIsAbortedAndTheModalityGetsB000() throws Exception {
        List<String> seen = new ArrayList<>();
        RetrieveOutcome end = moveThrough(peer -> {
            peer.pending(4, 1);
            byte[] garbage = {0x00, 0x00, 0x00, 0x01, (byte) 0xFF, (byte) 0xFF, 0x00, 0x7F, 0x01, 0x02};
            ByteBuffer pdu = ByteBuffer.allocate(12 + garbage.length);
            pdu.put((byte) PduType.P_DATA_TF).put((byte) 0).putInt(6 + garbage.length)
                    .putInt(2 + garbage.length).put((byte) peer.context()).put((byte) 3).put(garbage);
            peer.out().write(pdu.array());
            peer.out().flush();
            return peer.next();
        }, false, seen);
        assertThat(seen).containsExactly("A-ABORT");
        assertThat(end.status()).isEqualTo(0xB000);
        assertThat(end.completed()).isEqualTo(1);
    }

    @Test
    void aPacsThatNeverAnswersIsA701AfterTheResponseTimeout() throws Exception {
        List<String> seen = new ArrayList<>();
        RetrieveOutcome end = moveThrough(RawPacs.Peer::next, false, seen);
        assertThat(seen).containsExactly("A-ABORT"); // the proxy gave up on it
        assertThat(end).isEqualTo(new RetrieveOutcome(0xA701, -1, -1, -1, -1));
    }

    @Test
    void aPacsThatIgnoresTheRelayedCancelStillGivesTheModalityFe00WithTheCountsSoFar() throws Exception {
        List<String> seen = new ArrayList<>();
        RetrieveOutcome end = moveThrough(peer -> {
            peer.pending(4, 1);
            String first = peer.next(); // the relayed C-CANCEL-RQ, then nothing from us
            return first + ", then " + peer.next();
        }, true, seen);
        assertThat(seen).containsExactly("C-CANCEL-RQ, then A-ABORT");
        assertThat(end).isEqualTo(new RetrieveOutcome(0xFE00, 4, 1, 0, 0));
    }

    @Test
    void aFinalResponseWithoutCountsGetsTheLastPendingCounts() throws Exception {
        List<String> seen = new ArrayList<>();
        RetrieveOutcome end = moveThrough(peer -> {
            peer.pending(1, 2);
            peer.command(Command.responseTo(peer.request(), 0x0000));
            return peer.next();
        }, false, seen);
        assertThat(seen).containsExactly("release");
        assertThat(end).isEqualTo(new RetrieveOutcome(0, -1, 2, 0, 0));
    }

    @Test
    void fetchingFromAPacsThatAbortsAfterOnePendingGivesA702() throws Exception {
        List<String> seen = new ArrayList<>();
        RetrieveOutcome end = moveThrough(peer -> {
            peer.pending(4, 1); // it claims one sent, but none reached us: nothing is confirmed delivered
            peer.abort();
            return "aborted";
        }, false, seen, true);
        assertThat(end).isEqualTo(new RetrieveOutcome(0xA702, -1, 0, 4, 0));
    }

    @Test
    void fetchingFromAPacsThatNeverAnswersIsA701AfterTheResponseTimeout() throws Exception {
        List<String> seen = new ArrayList<>();
        RetrieveOutcome end = moveThrough(RawPacs.Peer::next, false, seen, true);
        assertThat(seen).containsExactly("A-ABORT");
        assertThat(end).isEqualTo(new RetrieveOutcome(0xA701, -1, -1, -1, -1));
    }
}
