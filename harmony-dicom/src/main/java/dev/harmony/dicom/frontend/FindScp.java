package dev.harmony.dicom.frontend;

import dev.harmony.dicom.DicomAttributes;
import dev.harmony.dicom.DicomFormatException;
import dev.harmony.dicom.DimseStatus;
import dev.harmony.dicom.TransferSyntax;
import dev.harmony.dicom.internal.dimse.Command;
import dev.harmony.dicom.internal.dimse.DataStream;
import dev.harmony.dicom.query.Dataset;
import dev.harmony.dicom.query.DicomQuery;
import dev.harmony.dicom.query.QueryKeys;
import dev.harmony.dicom.query.QueryModel;
import dev.harmony.dicom.query.QueryResults;
import dev.harmony.message.Body;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Rejection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The C-FIND SCP of one association (PS3.4 C.4.1, PS3.7 9.1.2): decodes the identifier, sends a
 * {@code C-FIND} exchange through the pipeline, and streams the matches as Pending responses, looking
 * for a C-CANCEL before each one. Every answer that is not a stream of matches goes through
 * {@link DimseStatus#of(Response)}, the one place where rejections become statuses.
 */
final class FindScp {
    private static final Logger LOG = LoggerFactory.getLogger(DicomScp.class);
    /** Identifiers are a few hundred bytes; anything this large is refused (A700) without holding it. */
    static final int MAX_IDENTIFIER = 1 << 20;
    static final int PENDING = 0xFF00;
    static final int PENDING_KEYS_NOT_SUPPORTED = 0xFF01;
    static final int CANCELED = 0xFE00;

    private final ScpAssociation association;

    FindScp(ScpAssociation association) {
        this.association = association;
    }

    void find(int context, String abstractSyntax, TransferSyntax ts, Command rq, DataStream data) throws IOException {
        DicomQuery[] parsed = new DicomQuery[1];
        Response answer = query(abstractSyntax, ts, rq, data, parsed);
        Optional<QueryResults> matches = answer.isSuccess() ? answer.attribute(DicomAttributes.MATCHES)
                : Optional.empty();
        if (matches.isEmpty()) {
            finish(context, rq, answer);
            return;
        }
        int pending = supportsAll(parsed[0]) ? PENDING : PENDING_KEYS_NOT_SUPPORTED;
        int sent = 0;
        int status = DimseStatus.SUCCESS;
        String failure = null;
        try (QueryResults results = matches.get()) {
            while (true) {
                if (association.cancelRequested(rq.messageId())) {
                    status = CANCELED;
                    break;
                }
                Dataset match;
                try {
                    match = results.next();
                } catch (IOException | RuntimeException e) {
                    LOG.warn("association {}: C-FIND matches failed after {}: {}", association.id(), sent, e.toString());
                    status = DimseStatus.of(dev.harmony.pipeline.Rejection.Kind.INTERNAL, DimseStatus.Service.FIND);
                    failure = "reading matches failed";
                    break;
                }
                if (match == null) {
                    break;
                }
                Command rsp = Command.responseTo(rq, pending).setUs(Command.COMMAND_DATA_SET_TYPE, 0x0000);
                association.sendCommandAndData(context, rsp, match.encode(ts));
                sent++;
            }
        }
        if (status == DimseStatus.SUCCESS && association.cancelRequested(rq.messageId())) {
            status = CANCELED;
        }
        Command done = Command.responseTo(rq, status);
        if (failure != null) {
            done.setText(Command.ERROR_COMMENT, failure, 64);
        }
        association.sendCommandAndData(context, done, null);
        LOG.debug("association {}: C-FIND {} -> {} matches, status {}", association.id(), parsed[0], sent,
                DimseStatus.hex(status));
    }

    /** The pipeline's answer, or the rejection for an identifier we cannot use. */
    private Response query(String abstractSyntax, TransferSyntax ts, Command rq, DataStream data, DicomQuery[] parsed)
            throws IOException {
        if (data == null) {
            return Response.rejected(Rejection.malformed("C-FIND-RQ without an identifier"));
        }
        byte[] encoded = readIdentifier(data);
        if (encoded == null) {
            return Response.rejected(Rejection.payloadTooLarge("identifier larger than " + MAX_IDENTIFIER + " bytes"));
        }
        String sopClass = rq.string(Command.AFFECTED_SOP_CLASS_UID).orElse("");
        if (!sopClass.equals(abstractSyntax)) {
            return Response.rejected(Rejection.unsupported("Affected SOP Class " + sopClass
                    + " is not the presentation context's " + abstractSyntax));
        }
        Optional<QueryModel> model = QueryModel.ofFind(sopClass);
        if (model.isEmpty()) {
            return Response.rejected(Rejection.unsupported("C-FIND on " + sopClass + " is not supported"));
        }
        DicomQuery query;
        try {
            query = DicomQuery.of(model.get(), Dataset.decode(encoded, ts));
        } catch (DicomFormatException e) {
            return Response.rejected(Rejection.malformed("identifier cannot be parsed: " + e.getMessage()));
        } catch (IllegalArgumentException e) {
            return Response.rejected(Rejection.invalid(e.getMessage(), java.util.List.of()));
        }
        parsed[0] = query;
        return association.handle(Request.builder(dev.harmony.message.Protocol.DICOM, DicomAttributes.OP_C_FIND)
                .attributes(association.baseAttributes()
                        .with(DicomAttributes.SOP_CLASS_UID, sopClass)
                        .with(DicomAttributes.TRANSFER_SYNTAX, ts)
                        .with(DicomAttributes.MESSAGE_ID, rq.messageId())
                        .with(DicomAttributes.QUERY, query))
                .body(Body.ofBytes(encoded, DicomAttributes.DATASET_CONTENT_TYPE))
                .build());
    }

    /** The whole identifier, or null (drained) if it is larger than {@link #MAX_IDENTIFIER}. */
    static byte[] readIdentifier(DataStream data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        byte[] chunk = new byte[4096];
        for (int n = data.read(chunk, 0, chunk.length); n >= 0; n = data.read(chunk, 0, chunk.length)) {
            if (bytes.size() + n > MAX_IDENTIFIER) {
                data.drain();
                return null;
            }
            bytes.write(chunk, 0, n);
        }
        return bytes.toByteArray();
    }

    private void finish(int context, Command rq, Response answer) throws IOException {
        int status = answer.isSuccess() && answer.attribute(DicomAttributes.DIMSE_STATUS).isEmpty()
                ? DimseStatus.SUCCESS : DimseStatus.of(answer, DimseStatus.Service.FIND);
        Command rsp = Command.responseTo(rq, status);
        answer.rejection().ifPresent(r -> rsp.setText(Command.ERROR_COMMENT, r.message(), 64));
        association.sendCommandAndData(context, rsp, null);
        answer.rejection().ifPresent(r -> LOG.info("association {}: C-FIND refused with {}: {}", association.id(),
                DimseStatus.hex(status), r.message()));
    }

    private static boolean supportsAll(DicomQuery query) {
        if (query == null) {
            return true;
        }
        for (int tag : query.identifier().tags()) {
            if (QueryKeys.vrOf(tag).equals("UN") && (tag >>> 16) != 0x0002) {
                return false;
            }
        }
        return true;
    }
}
