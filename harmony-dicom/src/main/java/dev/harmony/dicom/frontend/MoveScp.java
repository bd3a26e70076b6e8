package dev.harmony.dicom.frontend;

import dev.harmony.dicom.DicomAttributes;
import dev.harmony.dicom.DicomFormatException;
import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.DimseStatus;
import dev.harmony.dicom.TransferSyntax;
import dev.harmony.dicom.internal.dimse.Command;
import dev.harmony.dicom.internal.dimse.DataStream;
import dev.harmony.dicom.query.Dataset;
import dev.harmony.dicom.query.DicomQuery;
import dev.harmony.dicom.query.GetRequestor;
import dev.harmony.dicom.query.QueryKeys;
import dev.harmony.dicom.query.QueryModel;
import dev.harmony.dicom.query.Retrieval;
import dev.harmony.dicom.query.RetrieveOutcome;
import dev.harmony.dicom.query.RetrieveProgress;
import dev.harmony.dicom.query.StoredInstance;
import dev.harmony.dicom.scu.DicomClient;
import dev.harmony.dicom.scu.Proposal;
import dev.harmony.dicom.scu.ScuAssociation;
import dev.harmony.message.Body;
import dev.harmony.message.Protocol;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Rejection;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The C-MOVE SCP of one association (PS3.4 C.4.2, PS3.7 9.1.4): a {@code C-MOVE} exchange through the
 * pipeline names the instances (a {@link Retrieval}); they go to the configured destination as C-STORE
 * sub-operations on one association of ours, with a Pending response after each (remaining, completed,
 * failed, warning) and a C-CANCEL looked for before each. A backend that had the move done elsewhere
 * (a PACS proxy) answers with a {@link RetrieveProgress} instead, whose responses are passed on as they come;
 * for a C-GET it sends the instances back through the {@link GetRequestor} on the request meanwhile.
 */
final class MoveScp {
    private static final Logger LOG = LoggerFactory.getLogger(DicomScp.class);
    private static final String EXPLICIT = TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid();
    /** How long one wait for a relayed move's next response lasts before we look for a C-CANCEL again. */
    private static final Duration CANCEL_CHECK = Duration.ofMillis(50);

    private final ScpAssociation association;
    private final DicomScp scp;
    /** C-GET: the sub-operations go back on the requestor's association; else C-MOVE to a destination. */
    private final boolean get;

    MoveScp(ScpAssociation association, DicomScp scp, boolean get) {
        this.association = association;
        this.scp = scp;
        this.get = get;
    }

    /** Where the C-STORE sub-operations go. */
    private interface SubOperations extends AutoCloseable {
        boolean supports(StoredInstance i);

        int store(StoredInstance i) throws IOException;

        @Override
        void close() throws IOException;
    }

    private SubOperations open(List<StoredInstance> instances, DicomNode destination, int getMessageId)
            throws IOException {
        if (get) {
            return new SubOperations() {
                @Override
                public boolean supports(StoredInstance i) {
                    return association.storeContext(i.sopClassUid(), i.transferSyntaxUid()) > 0;
                }

                @Override
                public int store(StoredInstance i) throws IOException {
                    return association.storeSubOperation(i, getMessageId);
                }

                @Override
                public void close() {
                }
            };
        }
        Map<String, Set<String>> syntaxes = new LinkedHashMap<>();
        instances.forEach(i -> syntaxes.computeIfAbsent(i.sopClassUid(), k -> new LinkedHashSet<>())
                .add(i.transferSyntaxUid()));
        List<Proposal> proposals = new ArrayList<>();
        // an explicit VR LE file can also go in implicit VR LE, which every storage SCP takes (ScuAssociation re-encodes it)
        syntaxes.forEach((sop, tss) -> tss.forEach(t -> proposals.add(new Proposal(sop, t.equals(EXPLICIT)
                ? List.of(t, TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN.uid()) : List.of(t)))));
        ScuAssociation out = DicomClient.callingAe(scp.aeTitle).build().open(destination,
                proposals.subList(0, Math.min(proposals.size(), 128)));
        return new SubOperations() {
            @Override
            public boolean supports(StoredInstance i) {
                return out.supports(i.sopClassUid(), i.transferSyntaxUid()) || (i.transferSyntaxUid().equals(EXPLICIT)
                        && out.supports(i.sopClassUid(), TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN.uid()));
            }

            @Override
            public int store(StoredInstance i) throws IOException {
                int status = out.store(i.file());
                if (!out.isOpen()) {
                    throw new IOException(destination + " ended the association");
                }
                return status;
            }

            @Override
            public void close() {
                out.close();
            }
        };
    }

    void move(int context, String abstractSyntax, TransferSyntax ts, Command rq, DataStream data) throws IOException {
        Requestor requestor = get ? new Requestor(rq.messageId()) : null;
        Response answer = request(abstractSyntax, ts, rq, data, requestor);
        Optional<RetrieveProgress> relayed = answer.attribute(DicomAttributes.RETRIEVE_PROGRESS);
        if (relayed.isPresent() && answer.isSuccess()) {
            relay(context, rq, relayed.get(), requestor);
            return;
        }
        if (requestor != null) {
            requestor.end(); // from here on the sub-operations are ours (a Retrieval) or there are none
        }
        if (relayed.isPresent()) {
            relayed.get().close();
        }
        Optional<Retrieval> retrieval = answer.isSuccess() ? answer.attribute(DicomAttributes.RETRIEVAL) : Optional.empty();
        String destinationAe = rq.string(Command.MOVE_DESTINATION).orElse("");
        if (answer.isSuccess() && !get && !scp.moveDestinations.containsKey(destinationAe)) {
            // Checked after the exchange: a backend that relays the move (above) needs no destination of ours.
            answer = Response.rejected(Rejection.of(Rejection.Kind.NOT_FOUND, "move destination '" + destinationAe
                    + "' is not configured"));
            retrieval = Optional.empty();
        }
        if (retrieval.isEmpty()) {
            int status = answer.isSuccess() ? DimseStatus.SUCCESS : DimseStatus.of(answer, service());
            Command rsp = Command.responseTo(rq, status);
            answer.rejection().ifPresent(r -> rsp.setText(Command.ERROR_COMMENT, r.message(), 64));
            association.sendCommandAndData(context, rsp, null);
            // Said once here, as FindScp does: otherwise a refused retrieve leaves no trace of why.
            answer.rejection().ifPresent(r -> LOG.info("association {}: {} refused with {}: {}", association.id(),
                    get ? "C-GET" : "C-MOVE", DimseStatus.hex(status), r.message()));
            return;
        }
        List<StoredInstance> instances = retrieval.get().instances();
        DicomNode destination = get ? null : scp.moveDestinations.get(destinationAe);
        int completed = 0;
        int failed = 0;
        int warning = 0;
        int status = DimseStatus.SUCCESS;
        String comment = null;
        if (!instances.isEmpty()) {
            try (SubOperations out = open(instances, destination, rq.messageId())) {
                for (int n = 0; n < instances.size(); n++) {
                    if (ownAssociation(() -> association.cancelRequested(rq.messageId()))) {
                        status = FindScp.CANCELED;
                        break;
                    }
                    StoredInstance i = instances.get(n);
                    int sub;
                    if (!out.supports(i)) {
                        sub = DimseStatus.SOP_CLASS_NOT_SUPPORTED;
                    } else {
                        try {
                            sub = out.store(i);
                        } catch (java.nio.file.NoSuchFileException e) {
                            sub = DimseStatus.PROCESSING_FAILURE; // deleted since it was indexed: reindex
                        }
                    }
                    if (sub == DimseStatus.SUCCESS) {
                        completed++;
                    } else if (DimseStatus.isSuccessOrWarning(sub)) {
                        warning++;
                    } else {
                        failed++;
                    }
                    if (n + 1 < instances.size()) {
                        Command pending = counts(Command.responseTo(rq, FindScp.PENDING), instances.size() - n - 1,
                                completed, failed, warning);
                        ownAssociation(() -> {
                            association.sendCommandAndData(context, pending, null);
                            return true;
                        });
                    }
                    if (get && association.cancelSeen(rq.messageId())) {
                        status = FindScp.CANCELED;
                        break;
                    }
                }
            } catch (SubOperationFailure e) {
                throw e.getCause(); // the requestor's own association broke: nothing more to tell it
            } catch (IOException e) {
                LOG.warn("association {}: C-MOVE to {}: {}", association.id(), destination, e.toString());
                comment = get ? "C-STORE sub-operations failed" : "sending to " + destination.aeTitle() + " failed";
                failed = instances.size() - completed - warning;
                // the ones that arrived before the break count: Warning (B000) if any did, else A702
                status = DimseStatus.ofSubOperations(completed, failed, warning);
            }
        }
        if (status == DimseStatus.SUCCESS) {
            // PS3.4 C.4.2.2.1/C.4.3.2: Warning when some failed or warned, Failure when none succeeded
            status = DimseStatus.ofSubOperations(completed, failed, warning);
            if (comment == null && status == DimseStatus.UNABLE_TO_PERFORM_SUBOPERATIONS) {
                comment = "every C-STORE sub-operation failed";
            }
        }
        Command done = counts(Command.responseTo(rq, status), -1, completed, failed, warning);
        if (comment != null) {
            done.setText(Command.ERROR_COMMENT, comment, 64);
        }
        if (status == FindScp.CANCELED) {
            done.setUs(Command.NUMBER_OF_REMAINING_SUBOPERATIONS, instances.size() - completed - failed - warning);
        }
        association.sendCommandAndData(context, done, null);
        LOG.info("association {}: {} of {} instances to {}: {} completed, {} failed, {} warning, status {}",
                association.id(), get ? "C-GET" : "C-MOVE", instances.size(), get ? "the requestor" : destination,
                completed, failed, warning, DimseStatus.hex(status));
    }

    private DimseStatus.Service service() {
        return get ? DimseStatus.Service.GET : DimseStatus.Service.MOVE;
    }

    /**
     * Passes a retrieve done elsewhere on to the requestor as it goes: each Pending response with its
     * counts, then the final one; a C-CANCEL from the requestor is relayed. If the retrieve breaks off,
     * the requestor still gets a final response: A701 before any progress was known, else the last
     * counts (the remaining sub-operations counted as failed: nobody confirmed them) with B000 if some
     * completed and A702 if none did, or FE00 after a cancel. For a C-GET ({@code requestor} not null)
     * the retrieve's thread sends the sub-operations back on this association meanwhile; if that breaks
     * the association, the retrieve is stopped and the failure ends the association.
     */
    private void relay(int context, Command rq, RetrieveProgress progress, Requestor requestor) throws IOException {
        RetrieveOutcome last = null;
        RetrieveOutcome end;
        boolean cancelled = false;
        String comment = null;
        try (progress) {
            while (true) {
                if (requestor != null && requestor.broken() != null) {
                    throw requestor.broken();
                }
                if (!cancelled && association.cancelRequested(rq.messageId())) {
                    cancelled = true;
                    progress.cancel();
                }
                RetrieveOutcome o;
                try {
                    o = progress.poll(CANCEL_CHECK);
                } catch (IOException | RuntimeException e) {
                    LOG.warn("association {}: relayed {} broke off: {}", association.id(), name(), e.toString());
                    end = brokenOff(last, cancelled);
                    comment = "the retrieve broke off: " + e.getMessage();
                    break;
                }
                if (o == null) {
                    continue;
                }
                if (!o.pending()) {
                    end = o;
                    break;
                }
                last = o;
                association.sendCommandAndData(context, counts(Command.responseTo(rq, FindScp.PENDING), o.remaining(),
                        o.completed(), o.failed(), o.warning()), null);
            }
        } finally {
            if (requestor != null) {
                requestor.end();
            }
        }
        if (requestor != null && requestor.broken() != null) {
            throw requestor.broken(); // broke during the last sub-operation: no final response can go
        }
        int status = end.status();
        // a final response without counts gets the last known ones (a cancel's counts "so far")
        Command done = counts(Command.responseTo(rq, status),
                status == FindScp.CANCELED ? orLast(end.remaining(), last, RetrieveOutcome::remaining) : -1,
                orLast(end.completed(), last, RetrieveOutcome::completed), orLast(end.failed(), last, RetrieveOutcome::failed),
                orLast(end.warning(), last, RetrieveOutcome::warning));
        if (comment != null) {
            done.setText(Command.ERROR_COMMENT, comment, 64);
        }
        association.sendCommandAndData(context, done, null);
        LOG.info("association {}: {} relayed: status {}, {} completed, {} failed, {} warning", association.id(), name(),
                DimseStatus.hex(status), end.completed(), end.failed(), end.warning());
    }

    private String name() {
        return get ? "C-GET" : "C-MOVE";
    }

    /**
     * This C-GET's requestor as the backend sees it: its sub-operations go out on our association, from
     * whichever thread the backend sends them, one at a time, until the listener ended the C-GET.
     */
    private final class Requestor implements GetRequestor {
        private final int getMessageId;
        private volatile IOException broken;
        private boolean ended; // guarded by this

        Requestor(int getMessageId) {
            this.getMessageId = getMessageId;
        }

        @Override
        public Map<String, Set<String>> storageSyntaxes() {
            return association.storeSyntaxes();
        }

        @Override
        public int store(String sopClass, String sopInstance, String transferSyntax, InputStream dataset)
                throws IOException {
            synchronized (this) {
                if (ended) {
                    throw new IOException("C-GET " + getMessageId + " has ended: no more sub-operations");
                }
                if (broken != null) {
                    throw new IOException("the requestor's association failed: " + broken.getMessage(), broken);
                }
                try {
                    return association.storeSubOperation(sopClass, sopInstance, transferSyntax, dataset, getMessageId);
                } catch (SubOperationFailure e) {
                    broken = e.getCause();
                    throw e;
                }
            }
        }

        IOException broken() {
            return broken;
        }

        synchronized void end() {
            ended = true;
        }
    }

    private static RetrieveOutcome brokenOff(RetrieveOutcome last, boolean cancelled) {
        if (last == null) {
            return new RetrieveOutcome(cancelled ? FindScp.CANCELED : DimseStatus.UNABLE_TO_CALCULATE_MATCHES, -1, -1, -1, -1);
        }
        int unconfirmed = Math.max(0, last.remaining());
        if (cancelled) {
            return new RetrieveOutcome(FindScp.CANCELED, unconfirmed, last.completed(), last.failed(), last.warning());
        }
        int failed = Math.max(0, last.failed()) + unconfirmed;
        return new RetrieveOutcome(DimseStatus.ofSubOperations(Math.max(0, last.completed()), failed,
                Math.max(0, last.warning())), -1, last.completed(), failed, last.warning());
    }

    private static int orLast(int value, RetrieveOutcome last, java.util.function.ToIntFunction<RetrieveOutcome> count) {
        return value >= 0 || last == null ? value : count.applyAsInt(last);
    }

    private interface Io {
        boolean run() throws IOException;
    }

    /** Runs {@code io} on the requestor's association: its failure ends the operation, not just a sub-operation. */
    private static boolean ownAssociation(Io io) throws SubOperationFailure {
        try {
            return io.run();
        } catch (IOException e) {
            throw new SubOperationFailure(e);
        }
    }

    /** The requestor's own association failed (during a sub-operation, or between them). */
    static final class SubOperationFailure extends IOException {
        private static final long serialVersionUID = 1L;

        SubOperationFailure(IOException cause) {
            super(cause.getMessage(), cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }

    private static void putCount(Command rsp, int tag, int count) {
        if (count >= 0) {
            rsp.setUs(tag, count);
        }
    }

    private static Command counts(Command rsp, int remaining, int completed, int failed, int warning) {
        if (remaining >= 0) {
            rsp.setUs(Command.NUMBER_OF_REMAINING_SUBOPERATIONS, remaining);
        }
        putCount(rsp, Command.NUMBER_OF_COMPLETED_SUBOPERATIONS, completed);
        putCount(rsp, Command.NUMBER_OF_FAILED_SUBOPERATIONS, failed);
        putCount(rsp, Command.NUMBER_OF_WARNING_SUBOPERATIONS, warning);
        return rsp;
    }

    private Response request(String abstractSyntax, TransferSyntax ts, Command rq, DataStream data, GetRequestor requestor)
            throws IOException {
        if (data == null) {
            return Response.rejected(Rejection.malformed("C-MOVE-RQ without an identifier"));
        }
        byte[] encoded = FindScp.readIdentifier(data);
        if (encoded == null) {
            return Response.rejected(Rejection.payloadTooLarge("identifier larger than " + FindScp.MAX_IDENTIFIER + " bytes"));
        }
        String sopClass = rq.string(Command.AFFECTED_SOP_CLASS_UID).orElse("");
        Optional<QueryModel> model = get ? QueryModel.ofGet(sopClass) : QueryModel.ofMove(sopClass);
        if (!sopClass.equals(abstractSyntax) || model.isEmpty()) {
            return Response.rejected(Rejection.unsupported((get ? "C-GET" : "C-MOVE") + " on " + sopClass
                    + " is not supported on this context"));
        }
        DicomQuery query;
        try {
            Dataset identifier = Dataset.decode(encoded, ts);
            QueryModel m = model.get();
            if (m == QueryModel.STUDY_ROOT && identifier.string(QueryKeys.QUERY_RETRIEVE_LEVEL)
                    .map(l -> l.trim().equalsIgnoreCase("PATIENT")).orElse(false)) {
                // Orthanc (1.10) retrieves a whole patient with a Study Root C-MOVE at PATIENT level, a level that
                // model does not have; what it names is still unambiguous, so retrieve it as Patient Root does.
                m = QueryModel.PATIENT_ROOT;
            }
            query = DicomQuery.of(m, identifier);
        } catch (DicomFormatException e) {
            return Response.rejected(Rejection.malformed("identifier cannot be parsed: " + e.getMessage()));
        } catch (IllegalArgumentException e) {
            return Response.rejected(Rejection.invalid(e.getMessage(), List.of()));
        }
        String destination = rq.string(Command.MOVE_DESTINATION).orElse("");
        var attributes = association.baseAttributes()
                .with(DicomAttributes.SOP_CLASS_UID, sopClass)
                .with(DicomAttributes.TRANSFER_SYNTAX, ts)
                .with(DicomAttributes.MESSAGE_ID, rq.messageId())
                .with(DicomAttributes.QUERY, query);
        return association.handle(Request.builder(Protocol.DICOM, get ? DicomAttributes.OP_C_GET : DicomAttributes.OP_C_MOVE)
                .attributes(get ? attributes.with(DicomAttributes.GET_REQUESTOR, requestor)
                        : attributes.with(DicomAttributes.MOVE_DESTINATION, destination))
                .body(Body.ofBytes(encoded, DicomAttributes.DATASET_CONTENT_TYPE))
                .build());
    }
}
