package dev.harmony.dicom.scu;

import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.DimseStatus;
import dev.harmony.dicom.TransferSyntax;
import dev.harmony.dicom.Uids;
import dev.harmony.dicom.internal.codec.ToImplicitVr;
import dev.harmony.dicom.internal.dimse.Command;
import dev.harmony.dicom.internal.dimse.CommandField;
import dev.harmony.dicom.internal.dimse.DataStream;
import dev.harmony.dicom.internal.dimse.MessageReader;
import dev.harmony.dicom.internal.file.FileMeta;
import dev.harmony.dicom.internal.net.AbortReason;
import dev.harmony.dicom.internal.net.AssociateAccept;
import dev.harmony.dicom.internal.net.AssociateRequest;
import dev.harmony.dicom.internal.net.PDataWriter;
import dev.harmony.dicom.internal.net.PduCodec;
import dev.harmony.dicom.internal.net.PduReader;
import dev.harmony.dicom.internal.net.PduType;
import dev.harmony.dicom.internal.net.PresentationContext;
import dev.harmony.dicom.internal.net.PresentationResult;
import dev.harmony.dicom.internal.net.ProtocolViolation;
import dev.harmony.dicom.internal.net.RoleSelection;
import dev.harmony.dicom.internal.net.UserInfo;
import dev.harmony.dicom.query.Dataset;
import dev.harmony.dicom.query.DicomQuery;
import dev.harmony.dicom.query.RetrieveOutcome;
import dev.harmony.dicom.internal.net.AbortReason;
import dev.harmony.dicom.internal.net.AssociateAccept;
import dev.harmony.dicom.internal.net.AssociateRequest;
import dev.harmony.dicom.internal.net.PDataWriter;
import dev.harmony.dicom.internal.net.PduCodec;
import dev.harmony.dicom.internal.net.PduReader;
import dev.harmony.dicom.internal.net.PduType;
import dev.harmony.dicom.internal.net.PresentationContext;
import dev.harmony.dicom.internal.net.PresentationResult;
import dev.harmony.dicom.internal.net.ProtocolViolation;
import dev.harmony.dicom.internal.net.RoleSelection;
import dev.harmony.dicom.internal.net.UserInfo;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import javax.net.ssl.SSLSocket;

/**
 * An open association as requestor (SCU). Operations are synchronous (one outstanding message), so
 * one association serves one thread at a time. {@link #close()} releases it.
 */
public final class ScuAssociation implements AutoCloseable {
    private final DicomNode peer;
    private final Socket socket;
    private final OutputStream out;
    private final MessageReader messages;
    private final Object writeLock = new Object();
    private final Map<Integer, PresentationResult> accepted;
    private final Map<Integer, String> abstractSyntaxes;
    private final long peerMaxPdu;
    private int nextMessageId = 1;
    /** Guarded by writeLock. */
    private Outstanding outstanding;
    private volatile boolean open = true;

    private ScuAssociation(DicomNode peer, Socket socket, OutputStream out, MessageReader messages,
            Map<Integer, PresentationResult> accepted, Map<Integer, String> abstractSyntaxes, long peerMaxPdu) {
        this.peer = peer;
        this.socket = socket;
        this.out = out;
        this.messages = messages;
        this.accepted = accepted;
        this.abstractSyntaxes = abstractSyntaxes;
        this.peerMaxPdu = peerMaxPdu;
    }

    static ScuAssociation open(DicomClient client, DicomNode peer, List<Proposal> proposals) throws IOException {
        return open(client, peer, proposals, List.of());
    }

    /** Opens an association proposing {@code proposals} and the SCP/SCU role selection sub-items {@code roles}. */
    static ScuAssociation open(DicomClient client, DicomNode peer, List<Proposal> proposals, List<RoleSelection> roles)
            throws IOException {
        if (proposals.isEmpty() || proposals.size() > 128) {
            throw new IllegalArgumentException("propose 1 to 128 presentation contexts, not " + proposals.size());
        }
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(peer.host(), peer.port()), (int) client.connectTimeout.toMillis());
            socket.setSoTimeout((int) client.responseTimeout.toMillis());
            if (client.tls != null) {
                SSLSocket ssl = (SSLSocket) client.tlsContext.getSocketFactory().createSocket(socket, peer.host(),
                        peer.port(), true);
                socket = ssl;
                ssl.setUseClientMode(true);
                ssl.setSSLParameters(client.tls.clientParameters(client.tlsContext));
                ssl.startHandshake();
            }
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            List<PresentationContext> contexts = new ArrayList<>();
            Map<Integer, String> abstractSyntaxes = new HashMap<>();
            for (int i = 0; i < proposals.size(); i++) {
                int id = 2 * i + 1;
                contexts.add(new PresentationContext(id, proposals.get(i).sopClass(), proposals.get(i).transferSyntaxes()));
                abstractSyntaxes.put(id, proposals.get(i).sopClass());
            }
            UserInfo info = new UserInfo(client.maxPduLength, Uids.IMPLEMENTATION_CLASS, Uids.IMPLEMENTATION_VERSION,
                    0, 0, roles);
            out.write(PduCodec.encode(new AssociateRequest(1, peer.aeTitle(), client.callingAe,
                    Uids.APPLICATION_CONTEXT, contexts, info)));
            out.flush();
            PduReader pdus = new PduReader(in, client.maxPduLength, 1 << 20);
            int type = pdus.next();
            switch (type) {
                case PduType.ASSOCIATE_AC -> {
                    AssociateAccept ac = PduCodec.decodeAccept(pdus.controlBody());
                    Map<Integer, PresentationResult> accepted = new HashMap<>();
                    for (PresentationResult r : ac.results()) {
                        if (r.accepted() && abstractSyntaxes.containsKey(r.id())) {
                            accepted.put(r.id(), r);
                        }
                    }
                    return new ScuAssociation(peer, socket, out, new MessageReader(pdus), accepted, abstractSyntaxes,
                            ac.userInfo().maxPduLength());
                }
                case PduType.ASSOCIATE_RJ -> throw new AssociationRejectedException(peer.aeTitle(),
                        PduCodec.decodeReject(pdus.controlBody()));
                case PduType.ABORT -> throw new IOException(peer + " aborted the association request");
                case PduReader.END -> throw new EOFException(peer + " closed the connection during negotiation");
                default -> throw new ProtocolViolation(AbortReason.UNEXPECTED_PDU,
                        "unexpected " + PduType.name(type) + " from " + peer + " during negotiation");
            }
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** The peer this association is connected to. */
    public DicomNode peer() {
        return peer;
    }

    public boolean isOpen() {
        return open && !socket.isClosed();
    }

    /** Whether a context for {@code sopClass} in {@code transferSyntax} was accepted. */
    public boolean supports(String sopClass, String transferSyntax) {
        return contextFor(sopClass, transferSyntax) > 0;
    }

    /** C-ECHO; returns the status. */
    public synchronized int echo() throws IOException {
        int context = contextFor(Uids.VERIFICATION, null);
        if (context < 0) {
            throw new IllegalStateException(peer + " did not accept the Verification SOP class");
        }
        int id = nextMessageId();
        sendCommand(context, Command.request(CommandField.C_ECHO_RQ, id, Uids.VERIFICATION, false));
        return awaitResponse(id);
    }

    /** C-STORE of a Part-10 file, sent in its own transfer syntax; returns the status. */
    public int store(Path part10) throws IOException {
        try (InputStream in = Files.newInputStream(part10)) {
            FileMeta.Opened file = FileMeta.read(in);
            String sopClass = file.meta().sopClassUid();
            String ts = file.meta().transferSyntaxUid();
            String implicit = TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN.uid();
            if (!supports(sopClass, ts) && ts.equals(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid())
                    && supports(sopClass, implicit)) {
                // the peer took only the syntax every SCP must take: re-encode the headers as the data streams
                return store(sopClass, file.meta().sopInstanceUid(), implicit,
                        sink -> ToImplicitVr.transcode(file.dataset(), sink));
            }
            return store(sopClass, file.meta().sopInstanceUid(), ts, file.dataset());
        }
    }

    /**
     * C-STORE of a data set streamed from {@code dataset}, which must already be encoded in
     * {@code transferSyntax}; returns the status.
     *
     * @throws IllegalArgumentException if no context for this SOP class and transfer syntax was accepted
     */
    public int store(String sopClass, String sopInstance, String transferSyntax, InputStream dataset)
            throws IOException {
        return store(sopClass, sopInstance, transferSyntax, sink -> {
            byte[] buffer = new byte[64 * 1024];
            for (int n = dataset.read(buffer); n >= 0; n = dataset.read(buffer)) {
                sink.write(buffer, 0, n);
            }
        });
    }

    /** Writes a data set onto the association (in P-DATA fragments). */
    private interface DatasetWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    private synchronized int store(String sopClass, String sopInstance, String transferSyntax, DatasetWriter dataset)
            throws IOException {
        int context = contextFor(sopClass, transferSyntax);
        if (context < 0) {
            throw new IllegalArgumentException(peer + " accepted no presentation context for " + sopClass + " in "
                    + transferSyntax);
        }
        int id = nextMessageId();
        Command rq = Command.request(CommandField.C_STORE_RQ, id, sopClass, true)
                .setUs(Command.PRIORITY, 0)
                .setUid(Command.AFFECTED_SOP_INSTANCE_UID, sopInstance);
        try {
            sendCommand(context, rq);
            PDataWriter data = new PDataWriter(out, writeLock, peerMaxPdu, context, false);
            dataset.writeTo(data);
            data.finish();
        } catch (IOException e) {
            // We cannot tell the peer where the data set ends: the association is unusable.
            abort();
            throw e;
        }
        return awaitResponse(id);
    }

    /**
     * C-FIND: sends the query and hands each match to {@code onMatch} as it arrives; when it returns
     * false a C-CANCEL-RQ is sent and the remaining responses are read until the final one (PS3.7
     * 9.3.2.3). Returns the final status: 0000 success, FE00 after a cancel, or a failure status.
     *
     * @throws IllegalStateException if the peer accepted no context for the query's model
     */
    public synchronized int find(DicomQuery query, Predicate<Dataset> onMatch) throws IOException {
        String sopClass = query.model().findSopClass();
        int context = queryContext(sopClass, query, "C-FIND");
        TransferSyntax ts = syntaxOf(context);
        int id = nextMessageId();
        begin(context, id);
        try {
            sendCommand(context, Command.request(CommandField.C_FIND_RQ, id, sopClass, true).setUs(Command.PRIORITY, 0));
            PDataWriter.sendAll(out, writeLock, peerMaxPdu, context, false, query.identifier().encode(ts));
            boolean cancelled = false;
            while (true) {
                MessageReader.Event e = messages.next();
                if (!(e instanceof MessageReader.Message m)) {
                    throw new IOException(peer + " ended the association while we waited for C-FIND responses (" + e + ")");
                }
                Command c = m.command();
                if (c.commandField() != CommandField.C_FIND_RSP
                        || c.us(Command.MESSAGE_ID_BEING_RESPONDED_TO).orElse(-1) != id) {
                    throw new ProtocolViolation(AbortReason.UNEXPECTED_PDU_PARAMETER, "unexpected " + c + " from " + peer);
                }
                int status = c.status();
                boolean pending = status == 0xFF00 || status == 0xFF01;
                if (!pending) {
                    if (m.data() != null) {
                        m.data().drain();
                    }
                    return status;
                }
                if (m.data() == null) {
                    throw new ProtocolViolation(AbortReason.UNEXPECTED_PDU_PARAMETER, "pending C-FIND-RSP without identifier");
                }
                Dataset match = Dataset.decode(m.data().readAllBytes(), ts);
                if (!cancelled && !onMatch.test(match)) {
                    cancelled = true;
                    cancel();
                }
            }
        } catch (ProtocolViolation v) {
            throw abortFor(v);
        } catch (IOException | RuntimeException e) {
            abort();
            throw e;
        } finally {
            end();
        }
    }

    /**
     * C-MOVE: asks the peer to send what {@code query} matches to {@code destinationAe} (an AE the peer
     * knows). Returns the final status: 0000, B000 (some sub-operations failed), FE00, or a failure.
     *
     * @throws IllegalStateException if the peer accepted no context for the query's model
     */
    public int move(DicomQuery query, String destinationAe) throws IOException {
        return move(query, destinationAe, progress -> true).status();
    }

    /**
     * C-MOVE like {@link #move(DicomQuery, String)}, telling {@code onPending} each Pending response;
     * return false from it to cancel (C-CANCEL). Returns the final response's status and counts.
     *
     * @throws IllegalStateException if the peer accepted no context for the query's model
     */
    public synchronized RetrieveOutcome move(DicomQuery query, String destinationAe, Predicate<RetrieveOutcome> onPending)
            throws IOException {
        String sopClass = query.model().moveSopClass();
        int context = queryContext(sopClass, query, "C-MOVE");
        TransferSyntax ts = syntaxOf(context);
        int id = nextMessageId();
        begin(context, id);
        try {
            sendCommand(context, Command.request(CommandField.C_MOVE_RQ, id, sopClass, true).setUs(Command.PRIORITY, 0)
                    .setText(Command.MOVE_DESTINATION, dev.harmony.dicom.AeTitles.require(destinationAe, "move destination"), 16));
            PDataWriter.sendAll(out, writeLock, peerMaxPdu, context, false, query.identifier().encode(ts));
            boolean cancelled = false;
            while (true) {
                MessageReader.Event e = messages.next();
                if (!(e instanceof MessageReader.Message m)) {
                    throw new IOException(peer + " ended the association while we waited for C-MOVE responses (" + e + ")");
                }
                Command c = m.command();
                if (c.commandField() != CommandField.C_MOVE_RSP
                        || c.us(Command.MESSAGE_ID_BEING_RESPONDED_TO).orElse(-1) != id) {
                    throw new ProtocolViolation(AbortReason.UNEXPECTED_PDU_PARAMETER, "unexpected " + c + " from " + peer);
                }
                if (m.data() != null) {
                    m.data().drain(); // a Failed SOP Instance UID List, if any
                }
                RetrieveOutcome outcome = outcome(c, List.of());
                if (!outcome.pending()) {
                    return outcome;
                }
                if (!cancelled && !onPending.test(outcome)) {
                    cancelled = true;
                    cancel();
                }
            }
        } catch (ProtocolViolation v) {
            throw abortFor(v);
        } catch (IOException | RuntimeException e) {
            abort();
            throw e;
        } finally {
            end();
        }
    }

    /**
     * C-GET (PS3.4 C.4.3, PS3.7 9.1.3): asks the peer for what {@code query} matches; the peer sends each
     * instance back on this association as a C-STORE sub-operation, which goes to {@code sink} while it
     * arrives and is answered 0000, or 0110 if the sink throws. The association must have been opened with
     * storage contexts and SCP role selection for the SOP classes expected ({@link DicomClient#get} does).
     * Returns the final counts and status.
     *
     * @throws IllegalStateException if the peer accepted no context for the query's model
     */
    public RetrieveOutcome get(DicomQuery query, InstanceSink sink) throws IOException {
        return get(query, sink, progress -> true);
    }

    /**
     * C-GET as {@link #get(DicomQuery, InstanceSink)}, handing each Pending response's counts (status
     * FF00) to {@code onPending}; when it returns false a C-CANCEL-RQ is sent, the sub-operations still
     * arriving are answered, and the final status is then normally FE00 (PS3.7 9.3.3.3).
     */
    public synchronized RetrieveOutcome get(DicomQuery query, InstanceSink sink, Predicate<RetrieveOutcome> onPending)
            throws IOException {
        String sopClass = query.model().getSopClass();
        int context = queryContext(sopClass, query, "C-GET");
        TransferSyntax ts = syntaxOf(context);
        int id = nextMessageId();
        begin(context, id);
        List<String> refused = new ArrayList<>();
        boolean cancelled = false;
        try {
            sendCommand(context, Command.request(CommandField.C_GET_RQ, id, sopClass, true).setUs(Command.PRIORITY, 0));
            PDataWriter.sendAll(out, writeLock, peerMaxPdu, context, false, query.identifier().encode(ts));
            while (true) {
                MessageReader.Event e = messages.next();
                if (!(e instanceof MessageReader.Message m)) {
                    throw new IOException(peer + " ended the association while we waited for C-GET responses (" + e + ")");
                }
                Command c = m.command();
                if (c.commandField() == CommandField.C_STORE_RQ) {
                    storeSubOperation(m, sink, refused);
                    continue;
                }
                if (c.commandField() != CommandField.C_GET_RSP
                        || c.us(Command.MESSAGE_ID_BEING_RESPONDED_TO).orElse(-1) != id) {
                    throw new ProtocolViolation(AbortReason.UNEXPECTED_PDU_PARAMETER, "unexpected " + c + " from " + peer);
                }
                if (m.data() != null) {
                    m.data().drain(); // a Failed SOP Instance UID List, if any
                }
                RetrieveOutcome counts = outcome(c, refused);
                if (!counts.pending()) {
                    return counts;
                }
                if (!cancelled && !onPending.test(counts)) {
                    cancelled = true;
                    cancel();
                }
            }
        } catch (ProtocolViolation v) {
            throw abortFor(v);
        } catch (IOException | RuntimeException e) {
            abort();
            throw e;
        } finally {
            end();
        }
    }

    /** Answers one C-STORE-RQ of a C-GET: the data set streams to {@code sink}. */
    private void storeSubOperation(MessageReader.Message m, InstanceSink sink, List<String> refused) throws IOException {
        Command rq = m.command();
        DataStream data = m.data();
        if (data == null) {
            throw new ProtocolViolation(AbortReason.UNEXPECTED_PDU_PARAMETER, "C-STORE-RQ without a data set from " + peer);
        }
        String sopClass = rq.string(Command.AFFECTED_SOP_CLASS_UID).orElse("");
        String sopInstance = rq.string(Command.AFFECTED_SOP_INSTANCE_UID).orElse("");
        PresentationResult pc = accepted.get(m.context());
        int status;
        if (pc == null || !sopClass.equals(abstractSyntaxes.get(m.context()))) {
            data.drain();
            status = DimseStatus.SOP_CLASS_NOT_SUPPORTED;
        } else {
            try {
                sink.accept(sopClass, sopInstance, pc.transferSyntax(), data);
                data.drain();
                status = DimseStatus.SUCCESS;
            } catch (IOException | RuntimeException e) {
                if (data.failure() != null) {
                    throw data.failure(); // the association broke, not the sink
                }
                data.drain();
                // a sink that names its failure (a relayed C-GET: the final requestor's status) is answered with it
                status = e instanceof DimseStatusException d && !DimseStatus.isSuccessOrWarning(d.status()) ? d.status()
                        : DimseStatus.PROCESSING_FAILURE;
            }
        }
        if (status != DimseStatus.SUCCESS) {
            refused.add(sopInstance);
        }
        sendCommand(m.context(), Command.responseTo(rq, status));
    }

    /** A-RELEASE-RQ, wait for A-RELEASE-RP, close. */
    public synchronized void release() throws IOException {
        if (!isOpen()) {
            return;
        }
        open = false;
        try {
            send(PduCodec.releaseRequest());
            MessageReader.Event e = messages.next();
            if (!(e instanceof MessageReader.ReleaseResponse)) {
                throw new IOException(peer + " answered the release request with " + e);
            }
        } finally {
            socket.close();
        }
    }

    /** A-ABORT and close, without waiting; from any thread (an operation blocked on this association then fails). */
    public void abort() {
        open = false;
        try {
            send(PduCodec.abort(0, 0));
        } catch (IOException ignored) {
            // already gone
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Releases the association; if that fails, aborts it. */
    @Override
    public void close() {
        try {
            release();
        } catch (IOException e) {
            abort();
        }
    }

    private int contextFor(String sopClass, String transferSyntax) {
        for (PresentationResult r : accepted.values()) {
            if (abstractSyntaxes.get(r.id()).equals(sopClass)
                    && (transferSyntax == null || transferSyntax.equals(r.transferSyntax()))) {
                return r.id();
            }
        }
        return -1;
    }

    private int nextMessageId() {
        int id = nextMessageId;
        nextMessageId = nextMessageId == 0xFFFF ? 1 : nextMessageId + 1;
        return id;
    }

    private int awaitResponse(int messageId) throws IOException {
        try {
            MessageReader.Event e = messages.next();
            if (!(e instanceof MessageReader.Message m)) {
                throw new IOException(peer + " ended the association while we waited for a response (" + e + ")");
            }
            if (m.data() != null) {
                m.data().drain();
            }
            Command c = m.command();
            if (CommandField.isResponse(c.commandField())
                    && c.us(Command.MESSAGE_ID_BEING_RESPONDED_TO).orElse(-1) == messageId) {
                return c.status();
            }
            throw new ProtocolViolation(AbortReason.UNEXPECTED_PDU_PARAMETER, "unexpected " + c + " from " + peer);
        } catch (ProtocolViolation v) {
            throw abortFor(v);
        } catch (IOException e) {
            abort();
            throw e;
        }
    }

    /** The accepted context for a query/retrieve SOP class, or IllegalStateException naming the service. */
    private int queryContext(String sopClass, DicomQuery query, String service) {
        int context = contextFor(sopClass, null);
        if (context < 0) {
            throw new IllegalStateException(peer + " did not accept " + query.model() + " " + service);
        }
        return context;
    }

    private TransferSyntax syntaxOf(int context) {
        return TransferSyntax.of(accepted.get(context).transferSyntax())
                .orElseThrow(() -> new IllegalStateException(peer + " chose an unknown transfer syntax"));
    }

    /** The counts of a C-MOVE-RSP or C-GET-RSP; -1 for a count it does not carry. */
    private static RetrieveOutcome outcome(Command c, List<String> refused) {
        return new RetrieveOutcome(c.status(), c.us(Command.NUMBER_OF_REMAINING_SUBOPERATIONS).orElse(-1),
                c.us(Command.NUMBER_OF_COMPLETED_SUBOPERATIONS).orElse(-1),
                c.us(Command.NUMBER_OF_FAILED_SUBOPERATIONS).orElse(-1),
                c.us(Command.NUMBER_OF_WARNING_SUBOPERATIONS).orElse(-1), refused);
    }

    /**
     * Asks the peer, from any thread, to stop the C-FIND, C-MOVE or C-GET now running on this
     * association (C-CANCEL-RQ): the thread running it then reads the remaining responses up to the
     * final one (normally FE00) and returns it as usual. Does nothing when no such operation runs or
     * a cancel was already sent for it.
     */
    public void cancel() throws IOException {
        Outstanding o;
        synchronized (writeLock) {
            o = outstanding;
            if (o == null || o.cancelled) {
                return;
            }
            o.cancelled = true;
        }
        sendCommand(o.context, Command.of(CommandField.C_CANCEL_RQ).setUs(Command.MESSAGE_ID_BEING_RESPONDED_TO, o.id)
                .setUs(Command.COMMAND_DATA_SET_TYPE, Command.NO_DATA_SET));
    }

    /** The C-FIND, C-MOVE or C-GET awaiting its responses, so that {@link #cancel()} can name it. */
    private static final class Outstanding {
        final int context;
        final int id;
        boolean cancelled;

        Outstanding(int context, int id) {
            this.context = context;
            this.id = id;
        }
    }

    private void begin(int context, int id) {
        Outstanding o = new Outstanding(context, id);
        synchronized (writeLock) {
            outstanding = o;
        }
    }

    private void end() {
        synchronized (writeLock) {
            outstanding = null;
        }
    }

    /** Ends the association the peer broke the protocol on: A-ABORT (service provider), then close. */
    private ProtocolViolation abortFor(ProtocolViolation v) throws IOException {
        open = false;
        try {
            send(PduCodec.abort(2, v.abortReason()));
        } catch (IOException ignored) {
            // gone
        }
        socket.close();
        return v;
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

    @Override
    public String toString() {
        return "association to " + peer;
    }
}
