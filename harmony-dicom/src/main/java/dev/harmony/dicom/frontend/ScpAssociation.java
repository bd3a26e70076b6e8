package dev.harmony.dicom.frontend;

import dev.harmony.dicom.DicomAttributes;
import dev.harmony.dicom.DimseStatus;
import dev.harmony.dicom.TransferSyntax;
import dev.harmony.dicom.Uids;
import dev.harmony.dicom.UserIdentity;
import dev.harmony.dicom.internal.codec.ToImplicitVr;
import dev.harmony.dicom.internal.dimse.Command;
import dev.harmony.dicom.internal.dimse.CommandField;
import dev.harmony.dicom.internal.dimse.DataStream;
import dev.harmony.dicom.internal.dimse.MessageReader;
import dev.harmony.dicom.internal.dimse.SourceWatch;
import dev.harmony.dicom.internal.net.AbortReason;
import dev.harmony.dicom.internal.net.AbortedException;
import dev.harmony.dicom.internal.net.AssociateAccept;
import dev.harmony.dicom.internal.net.AssociateReject;
import dev.harmony.dicom.internal.net.AssociateRequest;
import dev.harmony.dicom.internal.net.PDataWriter;
import dev.harmony.dicom.internal.net.PduCodec;
import dev.harmony.dicom.internal.net.PduReader;
import dev.harmony.dicom.internal.net.PduType;
import dev.harmony.dicom.internal.net.PresentationResult;
import dev.harmony.dicom.internal.net.ProtocolViolation;
import dev.harmony.message.Attribute;
import dev.harmony.message.Attributes;
import dev.harmony.message.Body;
import dev.harmony.message.Protocol;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Handler;
import dev.harmony.pipeline.Rejection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One association on the SCP side, served by one thread: A-ASSOCIATE negotiation (through the
 * pipeline), then DIMSE messages until release, abort, timeout or a protocol violation (PS3.8 state
 * machine, acceptor side: Sta2 -> Sta3 -> Sta6 -> Sta13).
 */
final class ScpAssociation implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(DicomScp.class);
    private static final int MAX_CONTROL_PDU = 1 << 20;
    private static final String AUTHORIZATION = "Authorization";

    private final DicomScp scp;
    private final SocketChannel socket;
    private volatile Transport transport;
    private InputStream in;
    private InetSocketAddress remote;
    private final Handler handler;
    private final String id;
    private final boolean overLimit;
    private final Object writeLock = new Object();
    private volatile OutputStream out;
    private Attributes base = Attributes.empty();
    private final Map<Integer, PresentationResult> accepted = new HashMap<>();
    private final Map<Integer, String> abstractSyntaxes = new HashMap<>();
    private MessageReader messages;
    /** SOP classes for which the requestor accepted to be the storage SCP (C-GET sub-operations). */
    private final java.util.Set<String> storeRoles = new java.util.HashSet<>();
    private volatile int cancelledMessage = -1;
    /*
     * A relayed C-GET's sub-operations come from the retrieve's thread, its Pending responses from the
     * listener's. "receiving" is held by whoever reads the peer's messages during the operation (a
     * sub-operation awaiting its response, or the listener looking for a C-CANCEL); "sending" while one
     * whole message goes out, so that a Pending response never lands inside a sub-operation's data set.
     */
    private final java.util.concurrent.locks.ReentrantLock receiving = new java.util.concurrent.locks.ReentrantLock();
    private final java.util.concurrent.locks.ReentrantLock sending = new java.util.concurrent.locks.ReentrantLock();
    private int nextSubOperationId = 1;
    private FindScp findScp;
    private long peerMaxPdu;
    private String callingAe = "?";
    private long objects;
    private long bytes;
    private volatile boolean shuttingDown;
    private boolean established;
    /** {@code Bearer <jwt>} from a JWT user identity, or null. */
    private String bearer;

    ScpAssociation(DicomScp scp, SocketChannel socket, Handler handler, String id, boolean overLimit) {
        this.scp = scp;
        this.socket = socket;
        this.handler = handler;
        this.id = id;
        this.overLimit = overLimit;
    }

    @Override
    public void run() {
        long started = System.nanoTime();
        String outcome = "closed";
        try {
            remote = (InetSocketAddress) socket.getRemoteAddress();
            socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
            Transport t;
            if (scp.tls == null) {
                t = Transport.plain(socket, scp.idleTimeout.toMillis());
            } else {
                try {
                    t = Transport.tls(socket, scp.tls, scp.tlsContext, scp.artimTimeout.toMillis(),
                            scp.idleTimeout.toMillis());
                } catch (IOException e) {
                    outcome = "TLS handshake failed: " + e.getMessage();
                    return;
                }
            }
            transport = t;
            t.readTimeout(scp.artimTimeout.toMillis());
            in = t.input();
            out = t.output();
            PduReader pdus = new PduReader(in, scp.maxPduLength, MAX_CONTROL_PDU);
            if (!negotiate(pdus)) {
                outcome = "rejected";
                return;
            }
            established = true;
            transport.readTimeout(scp.idleTimeout.toMillis());
            outcome = serve(new MessageReader(pdus));
        } catch (ProtocolViolation e) {
            outcome = "aborted: " + e.getMessage();
            sendQuietly(PduCodec.abort(2, e.abortReason()));
        } catch (AbortedException e) {
            outcome = "aborted by peer";
        } catch (SocketTimeoutException e) {
            if (established) {
                outcome = "aborted: idle for " + scp.idleTimeout.toSeconds() + " s";
                sendQuietly(PduCodec.abort(2, AbortReason.NOT_SPECIFIED));
            } else {
                outcome = "closed: ARTIM expired before A-ASSOCIATE-RQ"; // PS3.8 AA-2: just close the transport
            }
        } catch (IOException e) {
            outcome = shuttingDown ? "aborted: listener stopping" : "connection lost: " + e.getMessage();
        } catch (RuntimeException e) {
            outcome = "aborted: internal error " + e;
            LOG.error("association {}: internal error", id, e);
            sendQuietly(PduCodec.abort(2, AbortReason.NOT_SPECIFIED));
        } finally {
            DicomScp.closeQuietly(socket);
            if (transport != null) {
                DicomScp.closeQuietly(transport);
            }
            scp.finished(this);
            long ms = (System.nanoTime() - started) / 1_000_000;
            LOG.info("association {} from {} ({}): {} objects, {} bytes, {} ms, {}", id, callingAe,
                    remote, objects, bytes, ms, outcome);
        }
    }

    /** Sta2/Sta3: reads the A-ASSOCIATE-RQ and answers it. Returns whether the association is established. */
    private boolean negotiate(PduReader pdus) throws IOException {
        int type = pdus.next();
        if (type == PduReader.END) {
            throw new java.io.EOFException("peer closed before sending A-ASSOCIATE-RQ");
        }
        if (type != PduType.ASSOCIATE_RQ) {
            throw new ProtocolViolation(AbortReason.UNEXPECTED_PDU,
                    (type == PduReader.PDV ? "P-DATA-TF" : PduType.name(type)) + " before A-ASSOCIATE-RQ");
        }
        AssociateRequest rq = PduCodec.decodeRequest(pdus.controlBody());
        callingAe = rq.callingAe();
        base = Attributes.empty()
                .with(DicomAttributes.CALLING_AE, rq.callingAe())
                .with(DicomAttributes.CALLED_AE, rq.calledAe())
                .with(DicomAttributes.LOCAL_AE, scp.aeTitle)
                .with(DicomAttributes.ASSOCIATION_ID, id)
                .with(Attribute.REMOTE_ADDRESS, remote);
        UserIdentity identity = rq.userInfo().identity();
        if (identity != null) {
            base = base.with(DicomAttributes.USER_IDENTITY, identity);
            if (identity.type() == UserIdentity.Type.JWT) {
                bearer = "Bearer " + identity.primaryText().strip();
            }
        }
        java.security.Principal certificate = transport.peerPrincipal();
        if (certificate != null) {
            base = base.with(DicomAttributes.TLS_PEER_SUBJECT, certificate.getName());
        }
        AssociateReject early = null;
        if ((rq.protocolVersion() & 1) == 0) {
            early = AssociateReject.protocolVersionNotSupported();
        } else if (!Uids.APPLICATION_CONTEXT.equals(rq.applicationContext())) {
            early = AssociateReject.applicationContextNotSupported();
        } else if (overLimit) {
            early = AssociateReject.localLimitExceeded();
        }
        if (early == null) {
            Response answer = handle(Request.builder(Protocol.DICOM, DicomAttributes.OP_ASSOCIATE).attributes(base)
                    .build());
            if (!answer.isSuccess()) {
                early = AssociateRejects.of(answer);
                LOG.info("association {} from {}: refused ({})", id, callingAe,
                        answer.rejection().map(Rejection::message).orElse("status " + answer.status()));
            }
        }
        if (early != null) {
            send(PduCodec.encode(early));
            return false;
        }
        rq.contexts().forEach(c -> abstractSyntaxes.put(c.id(), c.abstractSyntax()));
        AssociateAccept ac = scp.negotiator.answer(rq);
        ac.userInfo().roles().stream().filter(dev.harmony.dicom.internal.net.RoleSelection::scp)
                .forEach(r -> storeRoles.add(r.sopClass()));
        for (PresentationResult r : ac.results()) {
            if (r.accepted()) {
                accepted.put(r.id(), r);
            }
        }
        peerMaxPdu = rq.userInfo().maxPduLength();
        send(PduCodec.encode(ac));
        return true;
    }

    /** Sta6: serves DIMSE messages until the association ends; returns how it ended. */
    private String serve(MessageReader messages) throws IOException {
        this.messages = messages;
        while (true) {
            MessageReader.Event event = messages.next();
            if (event instanceof MessageReader.End) {
                return "peer closed without release";
            }
            if (event instanceof MessageReader.ReleaseRequest) {
                send(PduCodec.releaseResponse());
                awaitPeerClose();
                return "released";
            }
            if (event instanceof MessageReader.ReleaseResponse) {
                throw new ProtocolViolation(AbortReason.UNEXPECTED_PDU, "A-RELEASE-RP without a release request");
            }
            dispatch((MessageReader.Message) event);
        }
    }

    private void dispatch(MessageReader.Message m) throws IOException {
        PresentationResult pc = accepted.get(m.context());
        if (pc == null) {
            throw new ProtocolViolation(AbortReason.UNEXPECTED_PDU_PARAMETER,
                    "message on presentation context " + m.context() + " which was not accepted");
        }
        Command command = m.command();
        switch (command.commandField()) {
            case CommandField.C_ECHO_RQ -> {
                drain(m.data());
                sendCommand(m.context(), Command.responseTo(command, DimseStatus.SUCCESS));
            }
            case CommandField.C_STORE_RQ -> store(m, pc);
            case CommandField.C_FIND_RQ -> find(m, pc);
            case CommandField.C_MOVE_RQ -> move(m, pc, false);
            case CommandField.C_GET_RQ -> move(m, pc, true);
            case CommandField.C_CANCEL_RQ -> drain(m.data());
            default -> {
                drain(m.data());
                if (!CommandField.isResponse(command.commandField())) {
                    sendCommand(m.context(), Command.responseTo(command, DimseStatus.UNRECOGNIZED_OPERATION));
                }
            }
        }
    }

    private void store(MessageReader.Message m, PresentationResult pc) throws IOException {
        Command rq = m.command();
        DataStream data = m.data();
        if (data == null) {
            sendCommand(m.context(), Command.responseTo(rq, DimseStatus.CANNOT_UNDERSTAND)
                    .setText(Command.ERROR_COMMENT, "C-STORE-RQ without a data set", 64));
            return;
        }
        String sopClass = rq.string(Command.AFFECTED_SOP_CLASS_UID).orElse("");
        String sopInstance = rq.string(Command.AFFECTED_SOP_INSTANCE_UID).orElse("");
        TransferSyntax ts = TransferSyntax.of(pc.transferSyntax())
                .orElseGet(() -> TransferSyntax.encapsulated(pc.transferSyntax(), pc.transferSyntax()));
        Attributes attributes = base.with(DicomAttributes.SOP_CLASS_UID, sopClass)
                .with(DicomAttributes.SOP_INSTANCE_UID, sopInstance)
                .with(DicomAttributes.TRANSFER_SYNTAX, ts)
                .with(DicomAttributes.MESSAGE_ID, rq.messageId());
        long started = System.nanoTime();
        Response response = handle(Request.builder(Protocol.DICOM, DicomAttributes.OP_C_STORE).attributes(attributes)
                .body(Body.ofStream(data, -1, DicomAttributes.DATASET_CONTENT_TYPE).withLimit(scp.bodyLimit))
                .build());
        if (data.failure() != null) {
            throw data.failure();
        }
        // Whatever the backend left unread must be consumed to reach the next message.
        data.drain();
        int status = DimseStatus.of(response);
        Command rsp = Command.responseTo(rq, status);
        if (!DimseStatus.isSuccessOrWarning(status)) {
            response.rejection().ifPresent(r -> rsp.setText(Command.ERROR_COMMENT, r.message(), 64));
        }
        sendCommand(m.context(), rsp);
        objects++;
        bytes += data.bytesRead();
        if (LOG.isDebugEnabled()) {
            LOG.debug("association {} from {}: C-STORE {} ({} bytes, {}) -> status {} in {} ms", id, callingAe,
                    sopInstance, data.bytesRead(), ts.name(), DimseStatus.hex(status),
                    (System.nanoTime() - started) / 1_000_000);
        }
    }

    private void find(MessageReader.Message m, PresentationResult pc) throws IOException {
        if (findScp == null) {
            findScp = new FindScp(this);
        }
        findScp.find(m.context(), abstractSyntaxes.getOrDefault(m.context(), ""), identifierSyntax(pc), m.command(),
                m.data());
    }

    private void move(MessageReader.Message m, PresentationResult pc, boolean get) throws IOException {
        new MoveScp(this, scp, get).move(m.context(), abstractSyntaxes.getOrDefault(m.context(), ""), identifierSyntax(pc),
                m.command(), m.data());
    }

    private static TransferSyntax identifierSyntax(PresentationResult pc) {
        TransferSyntax ts = TransferSyntax.of(pc.transferSyntax()).orElse(TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN);
        // a query on a storage context (another encoding) is refused by SOP class anyway
        return ts.bigEndian() || ts.deflated() || !TransferSyntax.UNCOMPRESSED.contains(ts)
                ? TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN : ts;
    }

    String id() {
        return id;
    }

    Attributes baseAttributes() {
        return base;
    }

    /**
     * Whether the peer sent a C-CANCEL-RQ for {@code messageId}, looking without blocking. While an
     * operation is outstanding only C-CANCEL may arrive (no asynchronous operations are negotiated).
     * A relayed C-GET sends its sub-operations from the retrieve's thread while the listener looks for
     * a C-CANCEL: while a sub-operation awaits its response, that one reads (and notes a C-CANCEL).
     */
    boolean cancelRequested(int messageId) throws IOException {
        if (cancelSeen(messageId)) {
            return true;
        }
        if (!receiving.tryLock()) {
            return cancelSeen(messageId);
        }
        try {
            return awaitingCancel(messageId);
        } finally {
            receiving.unlock();
        }
    }

    private boolean awaitingCancel(int messageId) throws IOException {
        while (transport.inputWaiting()) {
            MessageReader.Event event = messages.next();
            if (!(event instanceof MessageReader.Message m)
                    || m.command().commandField() != CommandField.C_CANCEL_RQ) {
                throw new ProtocolViolation(AbortReason.UNEXPECTED_PDU, event instanceof MessageReader.Message m
                        ? m.command() + " while message " + messageId + " is outstanding"
                        : "a release or the end of the connection while message " + messageId + " is outstanding");
            }
            drain(m.data());
            if (m.command().us(Command.MESSAGE_ID_BEING_RESPONDED_TO).orElse(-1) == messageId) {
                return true;
            }
        }
        return false;
    }

    /** Whether a C-CANCEL-RQ for {@code messageId} arrived while a C-GET sub-operation was waiting. */
    boolean cancelSeen(int messageId) {
        return cancelledMessage == messageId;
    }

    /**
     * The accepted context a C-GET sub-operation of {@code sopClass} in {@code ts} goes on: one in that
     * transfer syntax, else, for explicit VR little endian, one in implicit VR little endian (the data
     * set is re-encoded as it is sent); -1 if none.
     */
    int storeContext(String sopClass, String ts) {
        int context = exactStoreContext(sopClass, ts);
        if (context < 0 && ts.equals(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid())) {
            context = exactStoreContext(sopClass, TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN.uid());
        }
        return context;
    }

    /** The accepted context for a C-GET sub-operation of {@code sopClass} in {@code ts}, or -1. */
    private int exactStoreContext(String sopClass, String ts) {
        if (!storeRoles.contains(sopClass)) {
            return -1;
        }
        for (PresentationResult r : accepted.values()) {
            if (sopClass.equals(abstractSyntaxes.get(r.id())) && ts.equals(r.transferSyntax())) {
                return r.id();
            }
        }
        return -1;
    }

    /** The storage SOP classes C-GET sub-operations can go back on, each with its contexts' transfer syntaxes. */
    Map<String, java.util.Set<String>> storeSyntaxes() {
        Map<String, java.util.Set<String>> syntaxes = new java.util.LinkedHashMap<>();
        accepted.values().stream().sorted(java.util.Comparator.comparingInt(PresentationResult::id)).forEach(r -> {
            String sop = abstractSyntaxes.get(r.id());
            if (storeRoles.contains(sop)) {
                syntaxes.computeIfAbsent(sop, k -> new java.util.LinkedHashSet<>()).add(r.transferSyntax());
            }
        });
        return syntaxes;
    }

    /** A C-STORE sub-operation of C-GET {@code getMessageId} from a file (see the streaming variant). */
    int storeSubOperation(dev.harmony.dicom.query.StoredInstance instance, int getMessageId) throws IOException {
        try (InputStream file = java.nio.file.Files.newInputStream(instance.file())) {
            dev.harmony.dicom.internal.file.FileMeta.Opened opened = dev.harmony.dicom.internal.file.FileMeta.read(file);
            return storeSubOperation(instance.sopClassUid(), instance.sopInstanceUid(), instance.transferSyntaxUid(),
                    opened.dataset(), getMessageId);
        }
    }

    /**
     * A C-STORE sub-operation of C-GET {@code getMessageId} on this association (we are the SCU of it):
     * streams {@code dataset} (encoded in {@code ts}) out as it is read and waits for the C-STORE-RSP,
     * noting a C-CANCEL-RQ that arrives meanwhile.
     *
     * @return the sub-operation's status; 0122 if no accepted context takes it (nothing is sent)
     * @throws MoveScp.SubOperationFailure if this association itself failed
     */
    int storeSubOperation(String sopClass, String sopInstance, String ts, InputStream dataset, int getMessageId)
            throws IOException {
        int context = storeContext(sopClass, ts);
        if (context < 0) {
            return DimseStatus.SOP_CLASS_NOT_SUPPORTED;
        }
        // taken before sending, so that the listener cannot read our response while it looks for a C-CANCEL
        receiving.lock();
        try {
            int id = nextSubOperationId;
            nextSubOperationId = nextSubOperationId == 0xFFFF ? 1 : nextSubOperationId + 1;
            sending.lock();
            try {
                sendSubOperation(context, id, sopClass, sopInstance, ts, dataset);
            } finally {
                sending.unlock();
            }
            return awaitSubOperationResponse(id, getMessageId);
        } finally {
            receiving.unlock();
        }
    }

    private void sendSubOperation(int context, int id, String sopClass, String sopInstance, String ts,
            InputStream dataset) throws IOException {
        boolean reencode = !accepted.get(context).transferSyntax().equals(ts);
        SourceWatch source = new SourceWatch(dataset);
        try {
            sendCommand(context, Command.request(CommandField.C_STORE_RQ, id, sopClass, true)
                    .setUs(Command.PRIORITY, 0).setUid(Command.AFFECTED_SOP_INSTANCE_UID, sopInstance));
            PDataWriter data = new PDataWriter(out, writeLock, peerMaxPdu, context, false);
            if (reencode) {
                ToImplicitVr.transcode(source, data);
            } else {
                source.transferTo(data);
            }
            data.finish();
        } catch (IOException e) {
            if (source.failure() != null) {
                // the source (a PACS we relay from) broke off mid data set: the requestor cannot be told where it ends
                sendQuietly(PduCodec.abort(0, 0));
            }
            throw new MoveScp.SubOperationFailure(e); // half a data set sent: the association is unusable
        }
    }

    private int awaitSubOperationResponse(int id, int getMessageId) throws IOException {
        while (true) {
            MessageReader.Event event;
            try {
                event = messages.next();
            } catch (IOException e) {
                throw new MoveScp.SubOperationFailure(e);
            }
            if (event instanceof MessageReader.Message m) {
                int field = m.command().commandField();
                int respondsTo = m.command().us(Command.MESSAGE_ID_BEING_RESPONDED_TO).orElse(-1);
                if (field == CommandField.C_STORE_RSP && respondsTo == id) {
                    drain(m.data());
                    return m.command().status();
                }
                if (field == CommandField.C_CANCEL_RQ) {
                    drain(m.data());
                    if (respondsTo == getMessageId) {
                        cancelledMessage = getMessageId;
                    }
                    continue;
                }
            }
            throw new MoveScp.SubOperationFailure(new ProtocolViolation(AbortReason.UNEXPECTED_PDU,
                    event + " while C-STORE sub-operation " + id + " of C-GET " + getMessageId + " awaits its response"));
        }
    }

    /** Sends a response command and, if {@code data} is not null, its data set. */
    void sendCommandAndData(int context, Command command, byte[] data) throws IOException {
        sending.lock();
        try {
            sendCommand(context, command);
            if (data != null) {
                PDataWriter.sendAll(out, writeLock, peerMaxPdu, context, false, data);
            }
        } finally {
            sending.unlock();
        }
    }

    /** Every exchange goes through here, carrying the association's credential (a JWT user identity). */
    Response handle(Request request) {
        try {
            return handler.handle(bearer == null ? request : request.withHeader(AUTHORIZATION, bearer));
        } catch (RuntimeException e) {
            LOG.error("association {}: pipeline handler threw", id, e);
            return Response.rejected(Rejection.internal("pipeline handler failed: " + e));
        }
    }

    private static void drain(DataStream data) throws IOException {
        if (data != null) {
            data.drain();
        }
    }

    /** Sta13: after A-RELEASE-RP the requestor closes the connection; ARTIM bounds the wait. */
    private void awaitPeerClose() {
        try {
            transport.readTimeout(scp.artimTimeout.toMillis());
            byte[] sink = new byte[1024];
            while (in.read(sink) >= 0) {
                // PS3.8: anything after A-RELEASE-RP is ignored until the transport closes
            }
        } catch (IOException ignored) {
            // timeout or reset: we close anyway
        }
    }

    private void sendCommand(int context, Command command) throws IOException {
        PDataWriter.sendAll(out, writeLock, peerMaxPdu, context, true, command.encode());
    }

    private void send(byte[] pdu) throws IOException {
        synchronized (writeLock) {
            out.write(pdu);
            out.flush();
        }
    }

    private void sendQuietly(byte[] pdu) {
        try {
            if (out != null && socket.isOpen()) {
                send(pdu);
            }
        } catch (IOException ignored) {
            // the peer is gone; nothing to tell it
        }
    }

    /** Called by {@link DicomScp#stop()} from another thread: A-ABORT (service user) and close. */
    void abortForShutdown() {
        shuttingDown = true;
        sendQuietly(PduCodec.abort(0, 0));
        DicomScp.closeQuietly(socket);
        Transport t = transport;
        if (t != null) {
            t.wakeup();
        }
    }
}
