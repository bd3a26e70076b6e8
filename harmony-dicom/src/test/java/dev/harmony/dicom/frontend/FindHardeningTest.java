package dev.harmony.dicom.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.dicom.Dcmtk;
import dev.harmony.dicom.DicomAttributes;
import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.TransferSyntax;
import dev.harmony.dicom.Uids;
import dev.harmony.dicom.internal.codec.ElementWriter;
import dev.harmony.dicom.internal.dimse.Command;
import dev.harmony.dicom.internal.dimse.CommandField;
import dev.harmony.dicom.internal.net.AssociateRequest;
import dev.harmony.dicom.internal.net.PDataWriter;
import dev.harmony.dicom.internal.net.PduCodec;
import dev.harmony.dicom.internal.net.PduType;
import dev.harmony.dicom.internal.net.PresentationContext;
import dev.harmony.dicom.internal.net.UserInfo;
import dev.harmony.dicom.query.Dataset;
import dev.harmony.dicom.query.DicomQuery;
import dev.harmony.dicom.query.QueryKeys;
import dev.harmony.dicom.query.QueryLevel;
import dev.harmony.dicom.query.QueryModel;
import dev.harmony.dicom.query.QueryResults;
import dev.harmony.dicom.scu.DicomClient;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.pipeline.Rejection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * C-FIND cancel and hostile C-FIND traffic. The backend answers every query with an endless stream of
 * matches, so only an honoured C-CANCEL can end one: a test that passes cannot have raced the cancel.
 */
class FindHardeningTest {
    private static final String STUDY_ROOT = QueryModel.STUDY_ROOT.findSopClass();
    private final AtomicInteger produced = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private DicomScp scp;
    private Pipeline pipeline;

    @BeforeEach
    void start() {
        scp = DicomScp.port(0).bindAddress("127.0.0.1").maxPduLength(16384).idleTimeout(Duration.ofSeconds(5)).build();
        pipeline = Pipeline.builder().name("find-hardening").frontend(scp)
                .backend(request -> {
                    if (!request.operation().equals(DicomAttributes.OP_C_FIND)) {
                        return Response.ok();
                    }
                    DicomQuery q = request.attribute(DicomAttributes.QUERY).orElseThrow();
                    if (q.identifier().string(QueryKeys.STUDY_DESCRIPTION).orElse("").equals("FAIL")) {
                        return Response.rejected(Rejection.unavailable("index offline"));
                    }
                    closed.set(false);
                    return Response.ok().with(DicomAttributes.MATCHES, endless());
                })
                .build();
        pipeline.start();
    }

    private QueryResults endless() {
        return new QueryResults() {
            @Override
            public Dataset next() {
                int n = produced.incrementAndGet();
                return new Dataset().set(QueryKeys.QUERY_RETRIEVE_LEVEL, "STUDY")
                        .set(QueryKeys.STUDY_INSTANCE_UID, "1.2.3." + n);
            }

            @Override
            public void close() {
                closed.set(true);
            }
        };
    }

    @AfterEach
    void stop() {
        pipeline.close();
    }

    private DicomNode node() {
        return DicomNode.of("HARMONY", "127.0.0.1", scp.localPort());
    }

    @Test
    void findscuCancelEndsAnEndlessQuery() throws Exception {
        Dcmtk.Result r = Dcmtk.run(Duration.ofSeconds(60), "findscu", "-v", "-S", "--cancel", "3", "-aet", "FINDSCU",
                "-aec", "HARMONY", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID", "127.0.0.1",
                String.valueOf(scp.localPort()));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("Sending Cancel Request").contains("Received Final Find Response (Cancel: MatchingTerminatedDueToCancelRequest)");
        Dcmtk.await(Duration.ofSeconds(10), "the matches to be closed", closed::get);
    }

    @Test
    void clientCancelGetsFe00AndTheAssociationStaysUsable() throws Exception {
        DicomClient client = DicomClient.callingAe("SCU").build();
        List<Dataset> seen = new ArrayList<>();
        DicomQuery query = DicomQuery.of(QueryModel.STUDY_ROOT, QueryLevel.STUDY,
                new Dataset().set(QueryKeys.STUDY_INSTANCE_UID, ""));
        try (var a = client.open(node(), List.of(DicomClient.findProposal(QueryModel.STUDY_ROOT),
                dev.harmony.dicom.scu.Proposal.verification()))) {
            int status = a.find(query, m -> seen.add(m) && seen.size() < 5);
            assertThat(status).isEqualTo(0xFE00);
            assertThat(seen).hasSizeGreaterThanOrEqualTo(5);
            assertThat(seen.get(0).string(QueryKeys.STUDY_INSTANCE_UID)).contains("1.2.3.1");
            assertThat(a.echo()).isZero();
            // A backend's rejection becomes the one mapped status: UNAVAILABLE -> A700
            assertThat(a.find(DicomQuery.of(QueryModel.STUDY_ROOT, QueryLevel.STUDY, new Dataset()
                    .set(QueryKeys.STUDY_DESCRIPTION, "FAIL")), m -> true)).isEqualTo(0xA700);
        }
        assertThat(closed).isTrue();
    }

    // --- raw sockets ---

    private RawPeer associate() throws IOException {
        RawPeer peer = new RawPeer(scp.localPort());
        peer.send(PduCodec.encode(new AssociateRequest(1, "HARMONY", "RAW", Uids.APPLICATION_CONTEXT, List.of(
                new PresentationContext(1, STUDY_ROOT, List.of(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid())),
                new PresentationContext(3, Uids.CT_IMAGE_STORAGE, List.of(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid())),
                new PresentationContext(5, Uids.VERIFICATION, List.of(TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN.uid())),
                new PresentationContext(7, QueryModel.STUDY_ROOT.moveSopClass(),
                        List.of(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid()))),
                new UserInfo(16384, Uids.IMPLEMENTATION_CLASS, null, 0, 0, List.of()))));
        assertThat(peer.read().type()).isEqualTo(PduType.ASSOCIATE_AC);
        return peer;
    }

    private static void sendFind(RawPeer peer, int context, int id, byte[] identifier, boolean last) throws IOException {
        PDataWriter.sendAll(peer.out, peer, 16384, context, true,
                Command.request(CommandField.C_FIND_RQ, id, STUDY_ROOT, identifier != null).setUs(Command.PRIORITY, 0)
                        .encode());
        if (identifier != null && last) {
            PDataWriter.sendAll(peer.out, peer, 16384, context, false, identifier);
        } else if (identifier != null) {
            byte[] pdu = new byte[12 + identifier.length];
            pdu[0] = 4;
            RawPeer.put32(pdu, 2, 6 + identifier.length);
            RawPeer.put32(pdu, 6, 2 + identifier.length);
            pdu[10] = (byte) context;
            System.arraycopy(identifier, 0, pdu, 12, identifier.length);
            peer.send(pdu); // not the last fragment
        }
    }

    /** Reads one whole command (and the data set that follows it, if any). */
    private static Command readCommand(RawPeer peer) throws IOException {
        return RawPeer.readMessage(peer).command();
    }

    private static void assertEchoWorks(RawPeer peer) throws IOException {
        PDataWriter.sendAll(peer.out, peer, 16384, 5, true,
                Command.request(CommandField.C_ECHO_RQ, 99, Uids.VERIFICATION, false).encode());
        Command rsp = readCommand(peer);
        assertThat(rsp.commandField()).isEqualTo(CommandField.C_ECHO_RSP);
        assertThat(rsp.status()).isZero();
    }

    @Test
    void malformedIdentifierGetsC000AndTheAssociationGoesOn() throws IOException {
        try (RawPeer peer = associate()) {
            // (0008,0052) with VR bytes "zz": not an explicit VR element
            byte[] garbage = {0x08, 0x00, 0x52, 0x00, 'z', 'z', 4, 0, 'S', 'T', 'U', 'D'};
            sendFind(peer, 1, 7, garbage, true);
            Command rsp = readCommand(peer);
            assertThat(rsp.commandField()).isEqualTo(CommandField.C_FIND_RSP);
            assertThat(rsp.us(Command.MESSAGE_ID_BEING_RESPONDED_TO).orElse(-1)).isEqualTo(7);
            assertThat(rsp.status()).isEqualTo(0xC000);
            assertThat(rsp.string(Command.ERROR_COMMENT).orElse("")).contains("identifier");
            // a value length running past the end: truncated inside the data set
            byte[] truncated = ElementWriter.explicitLittleEndian().text(QueryKeys.QUERY_RETRIEVE_LEVEL, "CS", "STUDY")
                    .toByteArray();
            truncated[6] = 40;
            sendFind(peer, 1, 8, truncated, true);
            assertThat(readCommand(peer).status()).isEqualTo(0xC000);
            sendFind(peer, 1, 9, null, true);
            assertThat(readCommand(peer).status()).as("no identifier").isEqualTo(0xC000);
            assertEchoWorks(peer);
        }
    }

    @Test
    void anIdentifierOfAbsurdlyDeepSequencesGetsC000AndTheAssociationGoesOn() throws IOException {
        try (RawPeer peer = associate()) {
            // 25,000 nested empty sequences in 900 KB, within the 1 MiB identifier limit
            ByteArrayOutputStream deep = new ByteArrayOutputStream();
            byte[] sq = {0x08, 0x00, 0x06, 0x00, 'S', 'Q', 0, 0, -1, -1, -1, -1, -2, -1, 0x00, -32, -1, -1, -1, -1};
            byte[] end = {-2, -1, 0x0D, -32, 0, 0, 0, 0, -2, -1, (byte) 0xDD, -32, 0, 0, 0, 0};
            for (int i = 0; i < 25_000; i++) {
                deep.writeBytes(sq);
            }
            for (int i = 0; i < 25_000; i++) {
                deep.writeBytes(end);
            }
            deep.writeBytes(ElementWriter.explicitLittleEndian().text(QueryKeys.QUERY_RETRIEVE_LEVEL, "CS", "STUDY")
                    .toByteArray());
            sendFind(peer, 1, 8, deep.toByteArray(), true);
            Command rsp = readCommand(peer);
            assertThat(rsp.commandField()).isEqualTo(CommandField.C_FIND_RSP);
            assertThat(rsp.status()).isEqualTo(0xC000);
            assertThat(rsp.string(Command.ERROR_COMMENT).orElse("")).contains("nested");
            assertEchoWorks(peer);
        }
    }

    @Test
    void badMoveRequestsGetStatusesAndTheAssociationGoesOn() throws IOException {
        try (RawPeer peer = associate()) {
            byte[] garbage = {0x08, 0x00, 0x52, 0x00, 'z', 'z', 4, 0, 'S', 'T', 'U', 'D'};
            Command move = Command.request(CommandField.C_MOVE_RQ, 21, QueryModel.STUDY_ROOT.moveSopClass(), true)
                    .setUs(Command.PRIORITY, 0).setText(Command.MOVE_DESTINATION, "NOWHERE", 16);
            PDataWriter.sendAll(peer.out, peer, 16384, 7, true, move.encode());
            PDataWriter.sendAll(peer.out, peer, 16384, 7, false, garbage);
            Command rsp = readCommand(peer);
            assertThat(rsp.commandField()).isEqualTo(CommandField.C_MOVE_RSP);
            assertThat(rsp.status()).isEqualTo(0xC000);
            byte[] good = new Dataset().set(QueryKeys.QUERY_RETRIEVE_LEVEL, "STUDY").set(QueryKeys.STUDY_INSTANCE_UID, "1.2")
                    .encode(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
            PDataWriter.sendAll(peer.out, peer, 16384, 7, true, move.setUs(Command.MESSAGE_ID, 22).encode());
            PDataWriter.sendAll(peer.out, peer, 16384, 7, false, good);
            assertThat(readCommand(peer).status()).as("destination not configured").isEqualTo(0xA801);
            assertEchoWorks(peer);
        }
    }

    @Test
    void findOnAStorageContextIsRefusedWith0122() throws IOException {
        try (RawPeer peer = associate()) {
            byte[] id = new Dataset().set(QueryKeys.QUERY_RETRIEVE_LEVEL, "STUDY").encode(
                    TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
            sendFind(peer, 3, 11, id, true);
            Command rsp = readCommand(peer);
            assertThat(rsp.status()).isEqualTo(0x0122);
            assertEchoWorks(peer);
        }
    }

    @Test
    void oversizedIdentifierGetsA700WithoutBeingHeld() throws IOException {
        try (RawPeer peer = associate()) {
            ElementWriter w = ElementWriter.explicitLittleEndian().text(QueryKeys.QUERY_RETRIEVE_LEVEL, "CS", "STUDY");
            byte[] big = new byte[60_000];
            java.util.Arrays.fill(big, (byte) 'A');
            for (int i = 0; i < 20; i++) {
                w.bytes(0x0009_1000 + i, "UN", big); // 1.2 MB of private elements
            }
            sendFind(peer, 1, 12, w.toByteArray(), true);
            assertThat(readCommand(peer).status()).isEqualTo(0xA700);
            assertEchoWorks(peer);
        }
    }

    @Test
    void aPeerVanishingInsideAnIdentifierLeavesTheListenerServing() throws Exception {
        try (RawPeer peer = associate()) {
            sendFind(peer, 1, 13, new byte[] {0x08, 0x00, 0x52, 0x00}, false);
        }
        Dcmtk.await(Duration.ofSeconds(10), "the association to end", () -> scp.activeAssociations() == 0);
        assertThat(DicomClient.callingAe("SCU").build().echo(node())).isZero();
    }

    @Test
    void anotherRequestWhileAFindIsOutstandingAborts() throws IOException {
        try (RawPeer peer = associate()) {
            byte[] id = new Dataset().set(QueryKeys.QUERY_RETRIEVE_LEVEL, "STUDY").set(QueryKeys.STUDY_INSTANCE_UID, "")
                    .encode(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
            sendFind(peer, 1, 14, id, true);
            assertThat(readCommand(peer).status()).isEqualTo(0xFF00);
            PDataWriter.sendAll(peer.out, peer, 16384, 5, true,
                    Command.request(CommandField.C_ECHO_RQ, 15, Uids.VERIFICATION, false).encode());
            // pending responses already on the way, then A-ABORT (unexpected PDU)
            RawPeer.Pdu pdu;
            do {
                pdu = peer.read();
            } while (pdu.type() == PduType.P_DATA_TF);
            assertThat(pdu.type()).isEqualTo(PduType.ABORT);
        }
        assertThat(DicomClient.callingAe("SCU").build().echo(node())).isZero();
    }
}
