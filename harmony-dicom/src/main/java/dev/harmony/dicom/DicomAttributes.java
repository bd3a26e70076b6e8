package dev.harmony.dicom;

import dev.harmony.dicom.query.DicomQuery;
import dev.harmony.dicom.query.GetRequestor;
import dev.harmony.dicom.query.RetrieveProgress;
import dev.harmony.dicom.query.QueryResults;
import dev.harmony.dicom.query.Retrieval;
import dev.harmony.message.Attribute;
import java.nio.file.Path;

/**
 * The typed attributes DICOM stages put on requests and responses. A {@code DicomScp} sets the
 * request attributes on the operations it sends through the pipeline: {@link #OP_ASSOCIATE} (once
 * per association, before any data flows), {@link #OP_C_STORE} (once per object, with the data set
 * as a one-shot stream body in the negotiated transfer syntax) and {@link #OP_C_FIND} (once per query).
 */
public final class DicomAttributes {
    /** Operation of the association-request exchange. */
    public static final String OP_ASSOCIATE = "A-ASSOCIATE";
    /** Operation of a C-STORE exchange. */
    public static final String OP_C_STORE = "C-STORE";
    /**
     * Operation of a C-FIND exchange: {@link #QUERY} holds the parsed identifier; a backend answers with
     * success and {@link #MATCHES}, which the listener streams as Pending responses, or a rejection.
     */
    public static final String OP_C_FIND = "C-FIND";
    /**
     * Operation of a C-MOVE exchange: {@link #QUERY} says what, {@link #MOVE_DESTINATION} to whom; a
     * backend answers with success and {@link #RETRIEVAL}, which the listener sends to the destination.
     */
    public static final String OP_C_MOVE = "C-MOVE";
    /** Operation of a C-GET exchange: like {@link #OP_C_MOVE}, but the instances go back on the requestor's association. */
    public static final String OP_C_GET = "C-GET";
    /** Content type of a C-STORE body: a bare data set (no Part-10 header) in {@link #TRANSFER_SYNTAX}. */
    public static final String DATASET_CONTENT_TYPE = "application/dicom-dataset";

    /** The AE title the peer calls itself. */
    public static final Attribute<String> CALLING_AE = Attribute.of("dicom.calling-ae", String.class);
    /** The AE title the peer asked for. */
    public static final Attribute<String> CALLED_AE = Attribute.of("dicom.called-ae", String.class);
    /** The AE title the listener is configured with. */
    public static final Attribute<String> LOCAL_AE = Attribute.of("dicom.local-ae", String.class);
    /** An id for the association, shared by all exchanges on it (for logs). */
    public static final Attribute<String> ASSOCIATION_ID = Attribute.of("dicom.association-id", String.class);
    /** Over TLS: the subject of the client certificate the peer presented and we verified. */
    public static final Attribute<String> TLS_PEER_SUBJECT = Attribute.of("dicom.tls-peer-subject", String.class);
    /** The user identity the requestor negotiated (PS3.7 D.3.3.7), on every exchange of the association. */
    public static final Attribute<UserIdentity> USER_IDENTITY = Attribute.of("dicom.user-identity", UserIdentity.class);
    /** Affected SOP Class UID of the command. */
    public static final Attribute<String> SOP_CLASS_UID = Attribute.of("dicom.sop-class-uid", String.class);
    /** Affected SOP Instance UID of the command. */
    public static final Attribute<String> SOP_INSTANCE_UID = Attribute.of("dicom.sop-instance-uid", String.class);
    /** The negotiated transfer syntax of the data set body. */
    public static final Attribute<TransferSyntax> TRANSFER_SYNTAX =
            Attribute.of("dicom.transfer-syntax", TransferSyntax.class);
    /** The DIMSE message id of the request. */
    public static final Attribute<Integer> MESSAGE_ID = Attribute.of("dicom.message-id", Integer.class);
    /** On a C-FIND request: the query (model, level, identifier). */
    public static final Attribute<DicomQuery> QUERY = Attribute.of("dicom.query", DicomQuery.class);
    /** On a C-FIND response: the matches, pulled and closed by the listener. */
    public static final Attribute<QueryResults> MATCHES = Attribute.of("dicom.matches", QueryResults.class);
    /**
     * On a C-MOVE request: the AE title the instances go to, resolved by the listener's configuration
     * when the backend answers with a {@link #RETRIEVAL}; a backend that relays the move (a PACS proxy)
     * passes it on as it is.
     */
    public static final Attribute<String> MOVE_DESTINATION = Attribute.of("dicom.move-destination", String.class);
    /**
     * On a C-GET request: its requestor, through which a backend that fetches the instances elsewhere
     * (a PACS proxy) sends them back as C-STORE sub-operations.
     */
    public static final Attribute<GetRequestor> GET_REQUESTOR = Attribute.of("dicom.get-requestor", GetRequestor.class);
    /** On a C-MOVE response: the instances to send. */
    public static final Attribute<Retrieval> RETRIEVAL = Attribute.of("dicom.retrieval", Retrieval.class);
    /**
     * On a C-MOVE or C-GET response of a backend that has the retrieve done elsewhere (a PACS proxy): its
     * responses as they come, which the listener passes on to the requestor instead of sending instances itself.
     */
    public static final Attribute<RetrieveProgress> RETRIEVE_PROGRESS =
            Attribute.of("dicom.retrieve-progress", RetrieveProgress.class);
    /** On a response: the DIMSE status to send, overriding the mapping of {@code DimseStatus.of}. */
    public static final Attribute<Integer> DIMSE_STATUS = Attribute.of("dicom.dimse-status", Integer.class);
    /** On a response of {@code DicomFileStore}: the Part-10 file the object was written to. */
    public static final Attribute<Path> STORED_FILE = Attribute.of("dicom.stored-file", Path.class);
    /**
     * On the request {@code StoreAndForward} hands on, only when its store fsyncs (so the content of
     * {@link #STORED_FILE} is durable; the fsync of its directory may still be running): where in that
     * file the body's data set starts, so a queue can keep the file itself (a hard link, made durable in
     * the queue's own directory) instead of writing and syncing a second copy.
     */
    public static final Attribute<Long> DATASET_OFFSET = Attribute.of("dicom.dataset-offset", Long.class);

    private DicomAttributes() {
    }
}
