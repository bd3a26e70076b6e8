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
import dev.harmony.dicom.query.MoveOutcome;
import dev.harmony.dicom.query.QueryModel;
import dev.harmony.dicom.query.Retrieval;
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
 * (a PACS proxy) answers with a {@link MoveOutcome} instead, sent back as the final response.
 */
final class MoveScp {
    private static final Logger LOG = LoggerFactory.getLogger(DicomScp.class);
    static final int DESTINATION_UNKNOWN = 0xA801;
    static final int UNABLE_TO_PERFORM_SUBOPERATIONS = 0xA702;
    static final int SUBOPERATIONS_FAILED = 0xB000;
    private static final String EXPLICIT = TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid();

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
                    return association.storeContext(i) > 0;
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
        Response answer = request(abstractSyntax, ts, rq, data);
        Optional<MoveOutcome> relayed = get ? Optional.empty() : answer.attribute(DicomAttributes.MOVE_OUTCOME);
        if (relayed.isPresent()) {
            MoveOutcome o = relayed.get();
            Command done = Command.responseTo(rq, o.status());
            if (o.status() == FindScp.CANCELED && o.remaining() >= 0) {
                done.setUs(Command.NUMBER_OF_REMAINING_SUBOPERATIONS, o.remaining());
            }
            putCount(done, Command.NUMBER_OF_COMPLETED_SUBOPERATIONS, o.completed());
            putCount(done, Command.NUMBER_OF_FAILED_SUBOPERATIONS, o.failed());
            putCount(done, Command.NUMBER_OF_WARNING_SUBOPERATIONS, o.warning());
            answer.rejection().ifPresent(r -> done.setText(Command.ERROR_COMMENT, r.message(), 64));
            association.sendCommandAndData(context, done, null);
            LOG.info("association {}: C-MOVE relayed: status {}, {} completed, {} failed, {} warning", association.id(),
                    DimseStatus.hex(o.status()), o.completed(), o.failed(), o.warning());
            return;
        }
        Optional<Retrieval> retrieval = answer.isSuccess() ? answer.attribute(DicomAttributes.RETRIEVAL) : Optional.empty();
        String destinationAe = rq.string(Command.MOVE_DESTINATION).orElse("");
        if (answer.isSuccess() && !get && !scp.moveDestinations.containsKey(destinationAe)) {
            // Checked after the exchange: a backend that relays the move (above) needs no destination of ours.
            answer = Response.rejected(Rejection.invalid("move destination '" + destinationAe + "' is not configured",
                    List.of())).with(DicomAttributes.DIMSE_STATUS, DESTINATION_UNKNOWN);
            retrieval = Optional.empty();
        }
        if (retrieval.isEmpty()) {
            int status = answer.isSuccess() ? DimseStatus.SUCCESS : DimseStatus.of(answer);
            Command rsp = Command.responseTo(rq, status);
            answer.rejection().ifPresent(r -> rsp.setText(Command.ERROR_COMMENT, r.message(), 64));
            association.sendCommandAndData(context, rsp, null);
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
                status = UNABLE_TO_PERFORM_SUBOPERATIONS;
                comment = get ? "C-STORE sub-operations failed" : "sending to " + destination.aeTitle() + " failed";
                failed = instances.size() - completed - warning;
            }
        }
        if (status == DimseStatus.SUCCESS && (failed > 0 || warning > 0)) {
            // PS3.4 C.4.2.2.1/C.4.3.2: Warning when some failed or warned, Failure when none succeeded
            status = completed + warning == 0 ? UNABLE_TO_PERFORM_SUBOPERATIONS : SUBOPERATIONS_FAILED;
            if (comment == null && status == UNABLE_TO_PERFORM_SUBOPERATIONS) {
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
        return rsp.setUs(Command.NUMBER_OF_COMPLETED_SUBOPERATIONS, completed)
                .setUs(Command.NUMBER_OF_FAILED_SUBOPERATIONS, failed)
                .setUs(Command.NUMBER_OF_WARNING_SUBOPERATIONS, warning);
    }

    private Response request(String abstractSyntax, TransferSyntax ts, Command rq, DataStream data) throws IOException {
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
            query = DicomQuery.of(model.get(), Dataset.decode(encoded, ts));
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
                .attributes(get ? attributes : attributes.with(DicomAttributes.MOVE_DESTINATION, destination))
                .body(Body.ofBytes(encoded, DicomAttributes.DATASET_CONTENT_TYPE))
                .build());
    }
}
