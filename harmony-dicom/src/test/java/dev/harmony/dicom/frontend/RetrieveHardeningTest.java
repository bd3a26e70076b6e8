package dev.harmony.dicom.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.dicom.Dcmtk;
import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.TransferSyntax;
import dev.harmony.dicom.Uids;
import dev.harmony.dicom.backend.DicomFileStore;
import dev.harmony.dicom.internal.codec.ToImplicitVrTest;
import dev.harmony.dicom.internal.dimse.Command;
import dev.harmony.dicom.internal.dimse.CommandField;
import dev.harmony.dicom.internal.file.FileMeta;
import dev.harmony.dicom.internal.net.AssociateAccept;
import dev.harmony.dicom.internal.net.AssociateReject;
import dev.harmony.dicom.internal.net.AssociateRequest;
import dev.harmony.dicom.internal.net.PDataWriter;
import dev.harmony.dicom.internal.net.PduCodec;
import dev.harmony.dicom.internal.net.PduType;
import dev.harmony.dicom.internal.net.PresentationContext;
import dev.harmony.dicom.internal.net.PresentationResult;
import dev.harmony.dicom.internal.net.RoleSelection;
import dev.harmony.dicom.internal.net.UserInfo;
import dev.harmony.dicom.query.Dataset;
import dev.harmony.dicom.query.QueryCorpus;
import dev.harmony.dicom.query.QueryKeys;
import dev.harmony.dicom.query.QueryModel;
import dev.harmony.dicom.scu.DicomClient;
import dev.harmony.pipeline.Pipeline;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * C-GET and C-MOVE SCP against hostile peers on raw sockets: a C-GET requestor that fails, refuses,
 * cancels, aborts or never answers its C-STORE sub-operations, and C-MOVE destinations that refuse the
 * association, fail every store or abort mid-move. Each case ends with the protocol's answer (counts and
 * status of PS3.4 C.4.2/C.4.3, or an A-ABORT) and a listener that still serves.
 */
class RetrieveHardeningTest {
    private static final String GET = QueryModel.STUDY_ROOT.getSopClass();
    private static final String MOVE = QueryModel.STUDY_ROOT.moveSopClass();
    private static final String EXPLICIT = TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid();
    /** Contexts of the raw requestor. */
    private static final int GET_CTX = 1;
    private static final int CT_CTX = 3;
    private static final int ECHO_CTX = 5;
    private static final int MOVE_CTX = 7;

    @TempDir
    Path tmp;
    private final HostileDestination destination = new HostileDestination();
    private DicomScp scp;
    private Pipeline pipeline;

    @BeforeEach
    void start() throws Exception {
        destination.start();
        scp = DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("HARMONY").idleTimeout(Duration.ofSeconds(3))
                .moveDestinations(DicomNode.of("HOSTILE", "127.0.0.1", destination.port()),
                        DicomNode.of("DOWN", "127.0.0.1", closedPort()))
                .build();
        pipeline = Pipeline.builder().name("retrieve-hardening").frontend(scp)
                .backend(DicomFileStore.under(tmp.resolve("store")).indexed().build()).build();
        pipeline.start();
        List<Path> corpus = QueryCorpus.write(tmp.resolve("corpus"));
        assertThat(DicomClient.callingAe("MODALITY").build().store(node(), corpus)).containsOnly(0);
    }

    @AfterEach
    void stop() throws IOException {
        pipeline.close();
        destination.close();
    }

    private DicomNode node() {
        return DicomNode.of("HARMONY", "127.0.0.1", scp.localPort());
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    // --- C-GET: the sub-operations come back on the requestor's association ---

    @Test
    void getWhoseSubOperationsAllFailEndsWithFailedCounts() throws Exception {
        try (RawPeer peer = associate(true)) {
            sendRetrieve(peer, GET_CTX, CommandField.C_GET_RQ, GET, 31, null, QueryCorpus.S1);
            Command done = answerSubOperations(peer, 31, sub -> 0xA700);
            assertThat(done.commandField()).isEqualTo(CommandField.C_GET_RSP);
            assertThat(done.status()).as("none succeeded: a failure, not a warning").isEqualTo(0xA702);
            assertCounts(done, 0, 5, 0);
            assertEchoWorks(peer);
        }
    }

    @Test
    void getWithWarningsAndFailuresCountsEachKind() throws Exception {
        try (RawPeer peer = associate(true)) {
            sendRetrieve(peer, GET_CTX, CommandField.C_GET_RQ, GET, 32, null, QueryCorpus.S1);
            AtomicInteger n = new AtomicInteger();
            Command done = answerSubOperations(peer, 32, sub -> switch (n.incrementAndGet()) {
                case 1 -> 0xB007; // coercion of data elements: a warning
                case 2 -> 0xC000;
                default -> 0x0000;
            });
            assertThat(done.status()).isEqualTo(0xB000);
            assertCounts(done, 3, 1, 1);
        }
    }

    @Test
    void getWhoseSubOperationsAllWarnIsAWarningNotASuccess() throws Exception {
        try (RawPeer peer = associate(true)) {
            sendRetrieve(peer, GET_CTX, CommandField.C_GET_RQ, GET, 39, null, QueryCorpus.S1);
            Command done = answerSubOperations(peer, 39, sub -> 0xB000);
            assertThat(done.status()).isEqualTo(0xB000);
            assertCounts(done, 0, 0, 5);
        }
    }

    @Test
    void getWithoutAStorageRoleFailsEverySubOperationWithoutSendingAny() throws Exception {
        try (RawPeer peer = associate(false)) { // storage context proposed, but no SCP role selection
            sendRetrieve(peer, GET_CTX, CommandField.C_GET_RQ, GET, 33, null, QueryCorpus.S1);
            RawPeer.Message done = RawPeer.readMessage(peer);
            assertThat(done.command().commandField()).as("no C-STORE-RQ may be sent without the role")
                    .isEqualTo(CommandField.C_GET_RSP);
            while (done.command().status() == 0xFF00) {
                done = RawPeer.readMessage(peer);
            }
            assertThat(done.command().status()).isEqualTo(0xA702);
            assertCounts(done.command(), 0, 5, 0);
            assertEchoWorks(peer);
        }
    }

    @Test
    void getCancelledAfterTheFirstSubOperationEndsWithFe00AndTheRemainingCount() throws Exception {
        try (RawPeer peer = associate(true)) {
            sendRetrieve(peer, GET_CTX, CommandField.C_GET_RQ, GET, 34, null, QueryCorpus.S1);
            AtomicInteger n = new AtomicInteger();
            Command done = answerSubOperations(peer, 34, sub -> {
                if (n.incrementAndGet() == 1) {
                    // the cancel arrives before the answer to the first sub-operation
                    PDataWriter.sendAll(peer.out, peer, 16384, GET_CTX, true, cancel(34));
                }
                return 0x0000;
            });
            assertThat(done.status()).isEqualTo(0xFE00);
            assertThat(done.us(Command.NUMBER_OF_COMPLETED_SUBOPERATIONS)).hasValue(1);
            assertThat(done.us(Command.NUMBER_OF_REMAINING_SUBOPERATIONS)).hasValue(4);
            assertEchoWorks(peer);
        }
    }

    @Test
    void getWhoseRequestorAbortsInsideASubOperationLeavesTheListenerServing() throws Exception {
        try (RawPeer peer = associate(true)) {
            sendRetrieve(peer, GET_CTX, CommandField.C_GET_RQ, GET, 35, null, QueryCorpus.S1);
            RawPeer.Message store = RawPeer.readMessage(peer);
            assertThat(store.command().commandField()).isEqualTo(CommandField.C_STORE_RQ);
            peer.send(PduCodec.abort(0, 0));
        }
        Dcmtk.await(Duration.ofSeconds(10), "the association to end", () -> scp.activeAssociations() == 0);
        assertThat(DicomClient.callingAe("SCU").build().echo(node())).isZero();
    }

    @Test
    void getWhoseRequestorNeverAnswersIsAbortedAfterTheIdleTimeout() throws Exception {
        try (RawPeer peer = associate(true)) {
            sendRetrieve(peer, GET_CTX, CommandField.C_GET_RQ, GET, 36, null, QueryCorpus.S1);
            RawPeer.Message store = RawPeer.readMessage(peer);
            assertThat(store.command().commandField()).isEqualTo(CommandField.C_STORE_RQ);
            // no C-STORE-RSP: the SCP's idle timeout (3 s) ends it, well within the peer's 10 s read timeout
            RawPeer.Pdu next = peer.read();
            assertThat(next.type()).isIn(PduType.ABORT, -1);
        }
        Dcmtk.await(Duration.ofSeconds(10), "the association to end", () -> scp.activeAssociations() == 0);
        assertThat(DicomClient.callingAe("SCU").build().echo(node())).isZero();
    }

    @Test
    void aStoreResponseToAnotherMessageIdAbortsTheAssociation() throws Exception {
        try (RawPeer peer = associate(true)) {
            sendRetrieve(peer, GET_CTX, CommandField.C_GET_RQ, GET, 37, null, QueryCorpus.S1);
            RawPeer.Message store = RawPeer.readMessage(peer);
            Command wrong = Command.responseTo(store.command(), 0).setUs(Command.MESSAGE_ID_BEING_RESPONDED_TO,
                    store.command().messageId() + 100);
            PDataWriter.sendAll(peer.out, peer, 16384, store.context(), true, wrong.encode());
            RawPeer.Pdu next = peer.read();
            assertThat(next.type()).isEqualTo(PduType.ABORT);
        }
        assertThat(DicomClient.callingAe("SCU").build().echo(node())).isZero();
    }

    @Test
    void getByAnImplicitOnlyRequestorReencodesWhatWeHoldInExplicit() throws Exception {
        Path rich = ToImplicitVrTest.rich(tmp, "rich", "+e", "+g"); // defined lengths and group lengths
        assertThat(DicomClient.callingAe("MODALITY").build().store(node(), List.of(rich))).containsOnly(0);
        try (RawPeer peer = associate(true, TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN.uid())) {
            sendRetrieve(peer, GET_CTX, CommandField.C_GET_RQ, GET, 40, null, "1.2.826.0.1.3680043.9.7777.9");
            List<byte[]> received = new ArrayList<>();
            Command done = answerSubOperations(peer, 40, sub -> {
                received.add(sub.data());
                return 0x0000;
            });
            assertThat(done.status()).isZero();
            assertThat(received).hasSize(1);
            Path got = tmp.resolve("got.dcm");
            try (var out = java.nio.file.Files.newOutputStream(got)) {
                new FileMeta(Uids.CT_IMAGE_STORAGE, "1.2.826.0.1.3680043.9.7777.9.1.1",
                        TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN.uid(), null).writeTo(out);
                out.write(received.get(0));
            }
            assertThat(ToImplicitVrTest.dump(got)).contains("Little Endian Implicit");
            assertThat(ToImplicitVrTest.elements(got)).isEqualTo(ToImplicitVrTest.elements(rich));
        }
    }

    @Test
    void getThatMatchesNothingSucceedsWithZeroCounts() throws Exception {
        try (RawPeer peer = associate(true)) {
            sendRetrieve(peer, GET_CTX, CommandField.C_GET_RQ, GET, 38, null, "1.2.3.4.5.6.7.8.9");
            Command done = RawPeer.readMessage(peer).command();
            assertThat(done.commandField()).isEqualTo(CommandField.C_GET_RSP);
            assertThat(done.status()).isZero();
            assertEchoWorks(peer);
        }
    }

    // --- C-MOVE: the sub-operations go to a configured destination ---

    @Test
    void moveToADestinationThatRefusesTheAssociationIsA702WithEveryObjectFailed() throws Exception {
        destination.behaviour = Behaviour.REJECT;
        try (RawPeer peer = associate(true)) {
            sendRetrieve(peer, MOVE_CTX, CommandField.C_MOVE_RQ, MOVE, 41, "HOSTILE", QueryCorpus.S1);
            Command done = finalResponse(peer);
            assertThat(done.status()).isEqualTo(0xA702);
            assertCounts(done, 0, 5, 0);
            assertEchoWorks(peer);
        }
    }

    @Test
    void moveToADestinationThatIsDownIsA702() throws Exception {
        try (RawPeer peer = associate(true)) {
            sendRetrieve(peer, MOVE_CTX, CommandField.C_MOVE_RQ, MOVE, 42, "DOWN", QueryCorpus.S1);
            Command done = finalResponse(peer);
            assertThat(done.status()).isEqualTo(0xA702);
            assertThat(done.string(Command.ERROR_COMMENT).orElse("")).contains("DOWN");
            assertEchoWorks(peer);
        }
    }

    @Test
    void moveToADestinationThatFailsEveryStoreIsA702WithTheCounts() throws Exception {
        destination.behaviour = Behaviour.FAIL_STORES;
        try (RawPeer peer = associate(true)) {
            sendRetrieve(peer, MOVE_CTX, CommandField.C_MOVE_RQ, MOVE, 43, "HOSTILE", QueryCorpus.S1);
            List<Command> pending = new ArrayList<>();
            Command done = finalResponse(peer, pending);
            assertThat(pending).as("a pending answer after each sub-operation but the last").hasSize(4);
            assertThat(pending.get(0).us(Command.NUMBER_OF_REMAINING_SUBOPERATIONS)).hasValue(4);
            assertThat(done.status()).isEqualTo(0xA702);
            assertCounts(done, 0, 5, 0);
            assertThat(destination.stores.get()).isEqualTo(5);
            assertEchoWorks(peer);
        }
    }

    @Test
    void moveToADestinationThatAbortsMidMoveIsB000CountingWhatArrived() throws Exception {
        destination.behaviour = Behaviour.ABORT_ON_THIRD;
        try (RawPeer peer = associate(true)) {
            sendRetrieve(peer, MOVE_CTX, CommandField.C_MOVE_RQ, MOVE, 44, "HOSTILE", QueryCorpus.S1);
            Command done = finalResponse(peer);
            assertThat(done.status()).as("some arrived: a warning, PS3.4 C.4.2.2.1").isEqualTo(0xB000);
            assertCounts(done, 2, 3, 0);
            assertThat(done.string(Command.ERROR_COMMENT).orElse("")).contains("HOSTILE");
            assertEchoWorks(peer);
        }
        // the next move opens a fresh association to the (now well-behaved) destination
        destination.behaviour = Behaviour.ACCEPT;
        try (RawPeer peer = associate(true)) {
            sendRetrieve(peer, MOVE_CTX, CommandField.C_MOVE_RQ, MOVE, 45, "HOSTILE", QueryCorpus.S1);
            Command done = finalResponse(peer);
            assertThat(done.status()).isZero();
            assertCounts(done, 5, 0, 0);
        }
    }

    @Test
    void moveCancelledWhileTheDestinationStallsEndsWithFe00() throws Exception {
        destination.behaviour = Behaviour.STALL_FIRST;
        try (RawPeer peer = associate(true)) {
            sendRetrieve(peer, MOVE_CTX, CommandField.C_MOVE_RQ, MOVE, 46, "HOSTILE", QueryCorpus.S1);
            assertThat(destination.firstStoreSeen.await(10, TimeUnit.SECONDS)).isTrue();
            // the cancel is on the wire before the destination answers its first sub-operation
            PDataWriter.sendAll(peer.out, peer, 16384, MOVE_CTX, true, cancel(46));
            destination.release.countDown();
            Command done = finalResponse(peer);
            assertThat(done.status()).isEqualTo(0xFE00);
            assertThat(done.us(Command.NUMBER_OF_COMPLETED_SUBOPERATIONS)).hasValue(1);
            assertThat(done.us(Command.NUMBER_OF_REMAINING_SUBOPERATIONS)).hasValue(4);
            assertEchoWorks(peer);
        }
    }

    // --- the raw requestor ---

    /** Associates with Study Root GET and MOVE, CT storage (with the SCP role if asked) and verification. */
    private RawPeer associate(boolean storageRole) throws IOException {
        return associate(storageRole, EXPLICIT);
    }

    private RawPeer associate(boolean storageRole, String ctSyntax) throws IOException {
        RawPeer peer = new RawPeer(scp.localPort());
        List<RoleSelection> roles = storageRole ? List.of(new RoleSelection(Uids.CT_IMAGE_STORAGE, false, true)) : List.of();
        peer.send(PduCodec.encode(new AssociateRequest(1, "HARMONY", "RAW", Uids.APPLICATION_CONTEXT, List.of(
                new PresentationContext(GET_CTX, GET, List.of(EXPLICIT)),
                new PresentationContext(CT_CTX, Uids.CT_IMAGE_STORAGE, List.of(ctSyntax)),
                new PresentationContext(ECHO_CTX, Uids.VERIFICATION, List.of(TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN.uid())),
                new PresentationContext(MOVE_CTX, MOVE, List.of(EXPLICIT))),
                new UserInfo(16384, Uids.IMPLEMENTATION_CLASS, null, 0, 0, roles))));
        RawPeer.Pdu ac = peer.read();
        assertThat(ac.type()).isEqualTo(PduType.ASSOCIATE_AC);
        return peer;
    }

    private static void sendRetrieve(RawPeer peer, int context, int field, String sopClass, int id, String destination,
            String study) throws IOException {
        Command rq = Command.request(field, id, sopClass, true).setUs(Command.PRIORITY, 0);
        if (destination != null) {
            rq.setText(Command.MOVE_DESTINATION, destination, 16);
        }
        PDataWriter.sendAll(peer.out, peer, 16384, context, true, rq.encode());
        PDataWriter.sendAll(peer.out, peer, 16384, context, false, new Dataset()
                .set(QueryKeys.QUERY_RETRIEVE_LEVEL, "STUDY").set(QueryKeys.STUDY_INSTANCE_UID, study)
                .encode(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN));
    }

    private static byte[] cancel(int id) {
        return Command.of(CommandField.C_CANCEL_RQ).setUs(Command.MESSAGE_ID_BEING_RESPONDED_TO, id)
                .setUs(Command.COMMAND_DATA_SET_TYPE, Command.NO_DATA_SET).encode();
    }

    private interface SubAnswer {
        int status(RawPeer.Message store) throws IOException;
    }

    /** Answers each C-STORE-RQ of a C-GET with {@code answer}'s status until the final C-GET-RSP, which it returns. */
    private static Command answerSubOperations(RawPeer peer, int getId, SubAnswer answer) throws IOException {
        while (true) {
            RawPeer.Message m = RawPeer.readMessage(peer);
            Command c = m.command();
            if (c.commandField() == CommandField.C_STORE_RQ) {
                assertThat(m.context()).isEqualTo(CT_CTX);
                assertThat(m.data().length).as("the sub-operation carries the data set").isGreaterThan(100);
                int status = answer.status(m);
                PDataWriter.sendAll(peer.out, peer, 16384, m.context(), true, Command.responseTo(c, status).encode());
            } else {
                assertThat(c.commandField()).isEqualTo(CommandField.C_GET_RSP);
                assertThat(c.us(Command.MESSAGE_ID_BEING_RESPONDED_TO)).hasValue(getId);
                if (c.status() != 0xFF00) {
                    return c;
                }
            }
        }
    }

    private static Command finalResponse(RawPeer peer) throws IOException {
        return finalResponse(peer, new ArrayList<>());
    }

    private static Command finalResponse(RawPeer peer, List<Command> pending) throws IOException {
        while (true) {
            Command c = RawPeer.readMessage(peer).command();
            assertThat(c.commandField()).isEqualTo(CommandField.C_MOVE_RSP);
            if (c.status() != 0xFF00) {
                return c;
            }
            pending.add(c);
        }
    }

    private static void assertCounts(Command done, int completed, int failed, int warning) {
        assertThat(done.us(Command.NUMBER_OF_COMPLETED_SUBOPERATIONS)).as("completed").hasValue(completed);
        assertThat(done.us(Command.NUMBER_OF_FAILED_SUBOPERATIONS)).as("failed").hasValue(failed);
        assertThat(done.us(Command.NUMBER_OF_WARNING_SUBOPERATIONS)).as("warning").hasValue(warning);
    }

    private static void assertEchoWorks(RawPeer peer) throws IOException {
        PDataWriter.sendAll(peer.out, peer, 16384, ECHO_CTX, true,
                Command.request(CommandField.C_ECHO_RQ, 99, Uids.VERIFICATION, false).encode());
        Command rsp = RawPeer.readMessage(peer).command();
        assertThat(rsp.commandField()).isEqualTo(CommandField.C_ECHO_RSP);
        assertThat(rsp.status()).isZero();
    }

    enum Behaviour { ACCEPT, REJECT, FAIL_STORES, ABORT_ON_THIRD, STALL_FIRST }

    /** A C-MOVE destination on a raw socket that misbehaves as told; one association at a time. */
    static final class HostileDestination implements AutoCloseable {
        volatile Behaviour behaviour = Behaviour.ACCEPT;
        final AtomicInteger stores = new AtomicInteger();
        final CountDownLatch firstStoreSeen = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private ServerSocket server;
        private Thread thread;

        void start() throws IOException {
            server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
            thread = new Thread(this::serve, "hostile-destination");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void serve() {
            while (!server.isClosed()) {
                try (Socket s = server.accept(); RawPeer peer = new RawPeer(s)) {
                    session(peer);
                } catch (IOException | AssertionError | InterruptedException e) {
                    // the next association starts afresh; a test sees the effect on the SCP's answers
                }
            }
        }

        private void session(RawPeer peer) throws IOException, InterruptedException {
            RawPeer.Pdu rq = peer.read();
            if (rq.type() != PduType.ASSOCIATE_RQ) {
                return;
            }
            if (behaviour == Behaviour.REJECT) {
                peer.send(PduCodec.encode(AssociateReject.calledAeNotRecognized()));
                return;
            }
            AssociateRequest request = PduCodec.decodeRequest(rq.body());
            List<PresentationResult> results = new ArrayList<>();
            for (PresentationContext pc : request.contexts()) {
                results.add(new PresentationResult(pc.id(), PresentationResult.ACCEPTANCE, pc.transferSyntaxes().get(0)));
            }
            peer.send(PduCodec.encode(new AssociateAccept(request.calledAe(), request.callingAe(),
                    Uids.APPLICATION_CONTEXT, results, new UserInfo(16384, Uids.IMPLEMENTATION_CLASS, null, 0, 0,
                            List.of()))));
            int n = 0;
            while (true) {
                RawPeer.Pdu[] other = new RawPeer.Pdu[1];
                RawPeer.Message m = RawPeer.nextMessage(peer, other);
                if (m == null) {
                    if (other[0].type() == PduType.RELEASE_RQ) {
                        peer.send(PduCodec.releaseResponse());
                    }
                    return;
                }
                n++;
                stores.incrementAndGet();
                if (behaviour == Behaviour.ABORT_ON_THIRD && n == 3) {
                    peer.send(PduCodec.abort(0, 0));
                    return;
                }
                if (behaviour == Behaviour.STALL_FIRST && n == 1) {
                    firstStoreSeen.countDown();
                    release.await(20, TimeUnit.SECONDS);
                }
                int status = behaviour == Behaviour.FAIL_STORES ? 0xA700 : 0x0000;
                PDataWriter.sendAll(peer.out, peer, 16384, m.context(), true,
                        Command.responseTo(m.command(), status).encode());
            }
        }

        @Override
        public void close() throws IOException {
            release.countDown();
            server.close();
        }
    }
}
