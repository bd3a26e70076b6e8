package dev.harmony.dicom.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.Uids;
import dev.harmony.dicom.internal.dimse.Command;
import dev.harmony.dicom.internal.dimse.CommandField;
import dev.harmony.dicom.internal.dimse.MessageReader;
import dev.harmony.dicom.frontend.DicomScp;
import dev.harmony.dicom.internal.net.AssociateAccept;
import dev.harmony.dicom.internal.net.AssociateRequest;
import dev.harmony.dicom.internal.net.PDataWriter;
import dev.harmony.dicom.internal.net.PduCodec;
import dev.harmony.dicom.internal.net.PduReader;
import dev.harmony.dicom.internal.net.PduType;
import dev.harmony.dicom.internal.net.PresentationContext;
import dev.harmony.dicom.internal.net.PresentationResult;
import dev.harmony.dicom.internal.net.UserInfo;
import dev.harmony.dicom.query.Dataset;
import dev.harmony.dicom.query.DicomQuery;
import dev.harmony.dicom.query.QueryKeys;
import dev.harmony.dicom.query.QueryLevel;
import dev.harmony.dicom.query.QueryModel;
import dev.harmony.dicom.query.RetrieveOutcome;
import dev.harmony.dicom.scu.DicomClient;
import dev.harmony.pipeline.Pipeline;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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

    private interface Script {
        String run(Peer peer) throws IOException;
    }

    /** The raw PACS's side of the one association the proxy opens. */
    private record Peer(OutputStream out, MessageReader messages, Command moveRq, int context) {
        void command(Command c) throws IOException {
            PDataWriter.sendAll(out, new Object(), 1 << 20, context, true, c.encode());
        }

        void pending(int remaining, int completed) throws IOException {
            command(Command.responseTo(moveRq, 0xFF00).setUs(Command.NUMBER_OF_REMAINING_SUBOPERATIONS, remaining)
                    .setUs(Command.NUMBER_OF_COMPLETED_SUBOPERATIONS, completed)
                    .setUs(Command.NUMBER_OF_FAILED_SUBOPERATIONS, 0).setUs(Command.NUMBER_OF_WARNING_SUBOPERATIONS, 0));
        }

        /** The next thing the proxy sends, as text. */
        String next() {
            try {
                MessageReader.Event e = messages.next();
                if (e instanceof MessageReader.Message m) {
                    return CommandField.name(m.command().commandField());
                }
                if (e instanceof MessageReader.ReleaseRequest) {
                    out.write(PduCodec.releaseResponse());
                    out.flush();
                    return "release";
                }
                return e.toString();
            } catch (dev.harmony.dicom.internal.net.AbortedException a) {
                return "A-ABORT";
            } catch (IOException x) {
                return x.toString();
            }
        }
    }

    /** Runs the modality's C-MOVE through a proxy to a raw PACS playing {@code script}; returns the final outcome. */
    private RetrieveOutcome moveThrough(Script script, boolean cancelAtFirstPending, List<String> seen) throws Exception {
        return moveThrough(script, cancelAtFirstPending, seen, false);
    }

    /** As above; with {@code fetch}, the proxy retrieves and sends on, so the raw PACS gets a C-GET-RQ. */
    private RetrieveOutcome moveThrough(Script script, boolean cancelAtFirstPending, List<String> seen, boolean fetch)
            throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(20_000);
            CompletableFuture<String> pacs = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(20_000);
                    InputStream in = new BufferedInputStream(s.getInputStream());
                    OutputStream out = s.getOutputStream();
                    PduReader pdus = new PduReader(in, 1 << 20, 1 << 20);
                    assertThat(pdus.next()).isEqualTo(PduType.ASSOCIATE_RQ);
                    AssociateRequest rq = PduCodec.decodeRequest(pdus.controlBody());
                    List<PresentationResult> results = new ArrayList<>();
                    for (PresentationContext pc : rq.contexts()) {
                        results.add(new PresentationResult(pc.id(), PresentationResult.ACCEPTANCE, pc.transferSyntaxes().get(0)));
                    }
                    out.write(PduCodec.encode(new AssociateAccept(rq.calledAe(), rq.callingAe(), rq.applicationContext(),
                            results, new UserInfo(1 << 20, Uids.IMPLEMENTATION_CLASS, null, 0, 0, List.of()))));
                    out.flush();
                    MessageReader messages = new MessageReader(pdus);
                    MessageReader.Message move = (MessageReader.Message) messages.next();
                    assertThat(move.command().commandField()).isEqualTo(fetch ? CommandField.C_GET_RQ : CommandField.C_MOVE_RQ);
                    move.data().drain();
                    return script.run(new Peer(out, messages, move.command(), move.context()));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            PacsProxy.Builder proxy = PacsProxy.to(DicomNode.of("RAWPACS", "127.0.0.1", server.getLocalPort()))
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
                seen.add(pacs.get(30, TimeUnit.SECONDS));
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
            peer.out().write(PduCodec.abort(2, 0));
            peer.out().flush();
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
                    peer.moveRq().messageId() + 7).setUs(Command.COMMAND_DATA_SET_TYPE, Command.NO_DATA_SET)
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
        RetrieveOutcome end = moveThrough(Peer::next, false, seen);
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
            peer.command(Command.responseTo(peer.moveRq(), 0x0000));
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
            peer.out().write(PduCodec.abort(2, 0));
            peer.out().flush();
            return "aborted";
        }, false, seen, true);
        assertThat(end).isEqualTo(new RetrieveOutcome(0xA702, -1, 0, 4, 0));
    }

    @Test
    void fetchingFromAPacsThatNeverAnswersIsA701AfterTheResponseTimeout() throws Exception {
        List<String> seen = new ArrayList<>();
        RetrieveOutcome end = moveThrough(Peer::next, false, seen, true);
        assertThat(seen).containsExactly("A-ABORT");
        assertThat(end).isEqualTo(new RetrieveOutcome(0xA701, -1, -1, -1, -1));
    }
}
