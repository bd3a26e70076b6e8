package dev.harmony.dicom.scu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.harmony.dicom.query.RetrieveOutcome;
import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.Uids;
import dev.harmony.dicom.internal.dimse.Command;
import dev.harmony.dicom.internal.dimse.CommandField;
import dev.harmony.dicom.internal.dimse.MessageReader;
import dev.harmony.dicom.internal.net.AssociateAccept;
import dev.harmony.dicom.internal.net.AssociateRequest;
import dev.harmony.dicom.internal.net.PDataWriter;
import dev.harmony.dicom.internal.net.PduCodec;
import dev.harmony.dicom.internal.net.PduReader;
import dev.harmony.dicom.internal.net.PduType;
import dev.harmony.dicom.internal.net.PresentationContext;
import dev.harmony.dicom.internal.net.PresentationResult;
import dev.harmony.dicom.internal.net.RoleSelection;
import dev.harmony.dicom.internal.net.UserInfo;
import dev.harmony.dicom.query.Dataset;
import dev.harmony.dicom.query.DicomQuery;
import dev.harmony.dicom.query.QueryKeys;
import dev.harmony.dicom.query.QueryLevel;
import dev.harmony.dicom.query.QueryModel;
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
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Our C-GET SCU against a raw-socket SCP that sends what a real one should not: a C-STORE on a context
 * not proposed for its class, a data set cut off by an A-ABORT, a C-STORE without a data set, a response
 * to another message. Each ends in a protocol-correct answer and a clear outcome, never a hang.
 */
class GetScuHostilePeerTest {
    private static final String CT = Uids.CT_IMAGE_STORAGE;
    private static final String INSTANCE = "1.2.826.0.1.3680043.9.7777.42.1";
    private static final DicomQuery QUERY = DicomQuery.of(QueryModel.STUDY_ROOT, QueryLevel.STUDY,
            new Dataset().set(QueryKeys.STUDY_INSTANCE_UID, "1.2.826.0.1.3680043.9.7777.42"));
    private final DicomClient client = DicomClient.callingAe("GETTER").responseTimeout(Duration.ofSeconds(20)).build();

    /** What the fake SCP does after reading the C-GET-RQ; returns what it wants the test to check. */
    private interface Script {
        Object run(Peer peer) throws IOException;
    }

    /** The fake SCP's side of one association. */
    private record Peer(OutputStream out, PduReader pdus, MessageReader messages, Command getRq, Map<String, Integer> contexts) {
        int context(String sopClass) {
            return contexts.get(sopClass);
        }

        void command(int context, Command c) throws IOException {
            PDataWriter.sendAll(out, new Object(), 1 << 20, context, true, c.encode());
        }

        void data(int context, byte[] bytes, boolean last) throws IOException {
            ByteBuffer pdu = ByteBuffer.allocate(12 + bytes.length);
            pdu.put((byte) PduType.P_DATA_TF).put((byte) 0).putInt(6 + bytes.length)
                    .putInt(2 + bytes.length).put((byte) context).put((byte) (last ? 2 : 0)).put(bytes);
            out.write(pdu.array());
            out.flush();
        }

        Command storeRq(int id, String sopClass) {
            return Command.request(CommandField.C_STORE_RQ, id, sopClass, true).setUs(Command.PRIORITY, 0)
                    .setUid(Command.AFFECTED_SOP_INSTANCE_UID, INSTANCE);
        }

        Command finalRsp(int status, int completed, int failed) {
            return Command.responseTo(getRq, status).setUs(Command.NUMBER_OF_COMPLETED_SUBOPERATIONS, completed)
                    .setUs(Command.NUMBER_OF_FAILED_SUBOPERATIONS, failed)
                    .setUs(Command.NUMBER_OF_WARNING_SUBOPERATIONS, 0);
        }

        /** The next event as text: a C-STORE-RSP's status, an A-ABORT, a release (answered) or the end. */
        String next() {
            try {
                MessageReader.Event e = messages.next();
                if (e instanceof MessageReader.Message m && m.command().commandField() == CommandField.C_CANCEL_RQ) {
                    return "C-CANCEL-RQ for " + m.command().us(Command.MESSAGE_ID_BEING_RESPONDED_TO).orElse(-1);
                }
                if (e instanceof MessageReader.Message m) {
                    return CommandField.name(m.command().commandField()) + " " + Integer.toHexString(m.command().status());
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

    private <T> T withPeer(Script script, ThrowingCall<T> call, List<Object> seen) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(20_000);
            CompletableFuture<Object> peer = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(20_000);
                    InputStream in = new BufferedInputStream(s.getInputStream());
                    OutputStream out = s.getOutputStream();
                    PduReader pdus = new PduReader(in, 1 << 20, 1 << 20);
                    assertThat(pdus.next()).isEqualTo(PduType.ASSOCIATE_RQ);
                    AssociateRequest rq = PduCodec.decodeRequest(pdus.controlBody());
                    List<PresentationResult> results = new ArrayList<>();
                    Map<String, Integer> contexts = new ConcurrentHashMap<>();
                    for (PresentationContext pc : rq.contexts()) {
                        results.add(new PresentationResult(pc.id(), PresentationResult.ACCEPTANCE, pc.transferSyntaxes().get(0)));
                        contexts.putIfAbsent(pc.abstractSyntax(), pc.id());
                    }
                    List<RoleSelection> roles = rq.userInfo().roles();
                    assertThat(roles).contains(new RoleSelection(CT, false, true));
                    out.write(PduCodec.encode(new AssociateAccept(rq.calledAe(), rq.callingAe(), rq.applicationContext(),
                            results, new UserInfo(1 << 20, Uids.IMPLEMENTATION_CLASS, null, 0, 0, roles))));
                    out.flush();
                    MessageReader messages = new MessageReader(pdus);
                    MessageReader.Message get = (MessageReader.Message) messages.next();
                    assertThat(get.command().commandField()).isEqualTo(CommandField.C_GET_RQ);
                    get.data().drain();
                    return script.run(new Peer(out, pdus, messages, get.command(), contexts));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try {
                return call.call(DicomNode.of("RAWSCP", "127.0.0.1", server.getLocalPort()));
            } finally {
                seen.add(peer.get(30, TimeUnit.SECONDS));
            }
        }
    }

    private interface ThrowingCall<T> {
        T call(DicomNode node) throws Exception;
    }

    @Test
    void aStoreOnAContextOfAnotherClassIsAnswered0122AndCountedAsRefused() throws Exception {
        List<Object> seen = new ArrayList<>();
        List<String> sunk = new ArrayList<>();
        RetrieveOutcome r = withPeer(peer -> {
            int getContext = peer.context(QueryModel.STUDY_ROOT.getSopClass());
            peer.command(getContext, peer.storeRq(7, CT));
            peer.data(getContext, new byte[] {8, 0, 0x16, 0, 'U', 'I', 2, 0, '1', 0}, true);
            String answer = peer.next();
            peer.command(getContext, peer.finalRsp(0xB000, 0, 1));
            return answer + " / " + peer.next();
        }, node -> client.get(node, QUERY, List.of(CT), (c, i, t, in) -> sunk.add(i)), seen);
        assertThat(seen).containsExactly("C-STORE-RSP 122 / release");
        assertThat(sunk).isEmpty();
        assertThat(r.status()).isEqualTo(0xB000);
        assertThat(r.failed()).isEqualTo(1);
        assertThat(r.refusedByUs()).containsExactly(INSTANCE);
    }

    @Test
    void aDataSetCutOffByAnAbortFailsTheGetInsteadOfBeingCountedAsASinkFailure() throws Exception {
        List<Object> seen = new ArrayList<>();
        List<Integer> readBySink = new ArrayList<>();
        assertThatThrownBy(() -> withPeer(peer -> {
            int ct = peer.context(CT);
            peer.command(ct, peer.storeRq(7, CT));
            peer.data(ct, new byte[100], false);
            peer.out().write(PduCodec.abort(0, 0));
            peer.out().flush();
            return peer.next();
        }, node -> client.get(node, QUERY, List.of(CT), (c, i, t, in) -> readBySink.add(in.readAllBytes().length)),
                seen)).isInstanceOf(IOException.class);
        assertThat(readBySink).isEmpty(); // the sink saw the failure as an exception, never a short data set
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).toString()).doesNotContain("C-STORE-RSP");
    }

    @Test
    void aStoreWithoutDataSetIsAProtocolViolationAnsweredWithAnAbort() throws Exception {
        List<Object> seen = new ArrayList<>();
        assertThatThrownBy(() -> withPeer(peer -> {
            peer.command(peer.context(CT), Command.request(CommandField.C_STORE_RQ, 7, CT, false)
                    .setUid(Command.AFFECTED_SOP_INSTANCE_UID, INSTANCE));
            return peer.next();
        }, node -> client.get(node, QUERY, List.of(CT), (c, i, t, in) -> { }), seen))
                .isInstanceOf(dev.harmony.dicom.internal.net.ProtocolViolation.class);
        assertThat(seen).containsExactly("A-ABORT");
    }

    @Test
    void aResponseToAnotherMessageIsAnsweredWithAnAbort() throws Exception {
        List<Object> seen = new ArrayList<>();
        assertThatThrownBy(() -> withPeer(peer -> {
            Command wrong = peer.finalRsp(0, 0, 0).setUs(Command.MESSAGE_ID_BEING_RESPONDED_TO,
                    peer.getRq().messageId() + 1);
            peer.command(peer.context(QueryModel.STUDY_ROOT.getSopClass()), wrong);
            return peer.next();
        }, node -> client.get(node, QUERY, List.of(CT), (c, i, t, in) -> { }), seen))
                .isInstanceOf(dev.harmony.dicom.internal.net.ProtocolViolation.class);
        assertThat(seen).containsExactly("A-ABORT");
    }

    @Test
    void pendingResponsesAndSubOperationsInterleaveUntilTheFinalCounts() throws Exception {
        List<Object> seen = new ArrayList<>();
        List<String> sunk = new ArrayList<>();
        RetrieveOutcome r = withPeer(peer -> {
            int ct = peer.context(CT);
            int getContext = peer.context(QueryModel.STUDY_ROOT.getSopClass());
            List<String> answers = new ArrayList<>();
            for (int n = 1; n <= 3; n++) {
                peer.command(ct, peer.storeRq(100 + n, CT));
                peer.data(ct, new byte[] {8, 0, 0x16, 0, 'U', 'I', 2, 0, '1'}, false);
                peer.data(ct, new byte[] {0}, true);
                answers.add(peer.next());
                peer.command(getContext, peer.finalRsp(0xFF00, n, 0).setUs(Command.NUMBER_OF_REMAINING_SUBOPERATIONS, 3 - n));
            }
            peer.command(getContext, peer.finalRsp(0, 3, 0));
            answers.add(peer.next());
            return answers;
        }, node -> client.get(node, QUERY, List.of(CT), (c, i, t, in) -> sunk.add(i + ":" + in.readAllBytes().length)),
                seen);
        assertThat(seen).containsExactly(List.of("C-STORE-RSP 0", "C-STORE-RSP 0", "C-STORE-RSP 0", "release"));
        assertThat(sunk).containsExactly(INSTANCE + ":10", INSTANCE + ":10", INSTANCE + ":10");
        assertThat(r.isSuccess()).isTrue();
        assertThat(r.completed()).isEqualTo(3);
    }

    @Test
    void cancellingSendsCCancelAndStillAnswersTheStoresInFlight() throws Exception {
        List<Object> seen = new ArrayList<>();
        List<RetrieveOutcome> progress = new ArrayList<>();
        RetrieveOutcome r = withPeer(peer -> {
            int ct = peer.context(CT);
            int getContext = peer.context(QueryModel.STUDY_ROOT.getSopClass());
            List<String> answers = new ArrayList<>();
            peer.command(ct, peer.storeRq(101, CT));
            peer.data(ct, new byte[] {8, 0, 0x16, 0, 'U', 'I', 2, 0, '1', 0}, true);
            answers.add(peer.next());
            peer.command(getContext, peer.finalRsp(0xFF00, 1, 0).setUs(Command.NUMBER_OF_REMAINING_SUBOPERATIONS, 4));
            answers.add(peer.next()); // the cancel
            peer.command(ct, peer.storeRq(102, CT)); // already under way when the cancel came
            peer.data(ct, new byte[] {8, 0, 0x16, 0, 'U', 'I', 2, 0, '1', 0}, true);
            answers.add(peer.next());
            peer.command(getContext, peer.finalRsp(0xFE00, 2, 0).setUs(Command.NUMBER_OF_REMAINING_SUBOPERATIONS, 3));
            answers.add(peer.next());
            return answers + " get " + peer.getRq().messageId();
        }, node -> client.get(node, QUERY, List.of(CT), (c, i, t, in) -> { }, p -> {
            progress.add(p);
            return false;
        }), seen);
        assertThat(seen).hasSize(1);
        String transcript = seen.get(0).toString();
        String getId = transcript.substring(transcript.lastIndexOf(' ') + 1);
        assertThat(transcript).isEqualTo("[C-STORE-RSP 0, C-CANCEL-RQ for " + getId + ", C-STORE-RSP 0, release] get "
                + getId);
        assertThat(progress).hasSize(1);
        assertThat(progress.get(0).status()).isEqualTo(0xFF00);
        assertThat(progress.get(0).completed()).isEqualTo(1);
        assertThat(r.status()).isEqualTo(0xFE00);
        assertThat(r.completed()).isEqualTo(2);
    }
}
