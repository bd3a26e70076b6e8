package dev.harmony.dicom.scu;

import dev.harmony.dicom.AeTitles;
import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.DicomTls;
import dev.harmony.dicom.Timeouts;
import dev.harmony.dicom.TransferSyntax;
import dev.harmony.dicom.internal.file.FileMeta;
import dev.harmony.dicom.internal.net.RoleSelection;
import dev.harmony.dicom.query.Dataset;
import dev.harmony.dicom.query.DicomQuery;
import dev.harmony.dicom.query.QueryModel;
import dev.harmony.dicom.query.RetrieveOutcome;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;

/**
 * A DICOM SCU: opens associations to a remote AE and sends C-ECHO, C-STORE, C-FIND, C-MOVE and C-GET.
 *
 * <pre>{@code
 * DicomClient client = DicomClient.callingAe("MODALITY").build();
 * DicomNode pacs = DicomNode.parse("HARMONY@127.0.0.1:11112");
 * client.echo(pacs);                                  // 0x0000 on success
 * List<Integer> statuses = client.store(pacs, files); // one association for all files
 * List<Dataset> studies = client.find(pacs, DicomQuery.of(QueryModel.STUDY_ROOT, QueryLevel.STUDY,
 *         new Dataset().set(QueryKeys.PATIENT_ID, "PID-1").set(QueryKeys.STUDY_INSTANCE_UID, "")));
 * RetrieveOutcome got = client.get(pacs, DicomQuery.of(QueryModel.STUDY_ROOT, QueryLevel.STUDY,
 *         new Dataset().set(QueryKeys.STUDY_INSTANCE_UID, studyUid)), List.of(ctImageStorage),
 *         InstanceSink.toDirectory(dir));               // got.completed(), got.failed(), got.status()
 * }</pre>
 */
public final class DicomClient {
    final String callingAe;
    final Duration connectTimeout;
    final Duration responseTimeout;
    final int maxPduLength;
    final DicomTls tls;
    final SSLContext tlsContext;

    private DicomClient(Builder b) {
        this.callingAe = b.callingAe;
        this.connectTimeout = b.connectTimeout;
        this.responseTimeout = b.responseTimeout;
        this.maxPduLength = b.maxPduLength;
        this.tls = b.tls;
        this.tlsContext = b.tls == null ? null : b.tls.context();
    }

    /** Starts configuring a client that calls itself {@code aeTitle}. */
    public static Builder callingAe(String aeTitle) {
        return new Builder(aeTitle);
    }

    public String callingAeTitle() {
        return callingAe;
    }

    /**
     * Opens an association proposing {@code proposals}.
     *
     * @throws AssociationRejectedException if the peer answers A-ASSOCIATE-RJ
     */
    public ScuAssociation open(DicomNode called, List<Proposal> proposals) throws IOException {
        return ScuAssociation.open(this, called, proposals);
    }

    /** C-ECHO on a fresh association; returns the status (0 = success). */
    public int echo(DicomNode called) throws IOException {
        try (ScuAssociation a = open(called, List.of(Proposal.verification()))) {
            return a.echo();
        }
    }

    /** Stores Part-10 files over one association; returns each file's C-STORE status, in order. */
    public List<Integer> store(DicomNode called, List<Path> files) throws IOException {
        Map<String, Set<String>> syntaxesByClass = new LinkedHashMap<>();
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file)) {
                FileMeta meta = FileMeta.read(in).meta();
                syntaxesByClass.computeIfAbsent(meta.sopClassUid(), k -> new LinkedHashSet<>())
                        .add(meta.transferSyntaxUid());
            }
        }
        List<Proposal> proposals = new ArrayList<>();
        // One context per (SOP class, transfer syntax), so each file is sent exactly as it is encoded.
        syntaxesByClass.forEach((sop, syntaxes) -> syntaxes.forEach(ts -> proposals.add(new Proposal(sop, List.of(ts)))));
        List<Integer> statuses = new ArrayList<>();
        try (ScuAssociation a = open(called, proposals)) {
            for (Path file : files) {
                statuses.add(a.store(file));
            }
        }
        return statuses;
    }

    /**
     * C-FIND on a fresh association, streaming: each match goes to {@code onMatch} as it arrives; return
     * false from it to cancel (C-CANCEL). Returns the final status (0000, FE00 after a cancel, or a failure).
     */
    public int find(DicomNode called, DicomQuery query, Predicate<Dataset> onMatch) throws IOException {
        try (ScuAssociation a = open(called, List.of(findProposal(query.model())))) {
            return a.find(query, onMatch);
        }
    }

    /**
     * C-FIND on a fresh association, collecting every match.
     *
     * @throws DimseStatusException if the peer answers with a failure status
     */
    public List<Dataset> find(DicomNode called, DicomQuery query) throws IOException {
        List<Dataset> matches = new ArrayList<>();
        int status = find(called, query, matches::add);
        if (status != 0) {
            throw new DimseStatusException(called + " refused the C-FIND", status);
        }
        return matches;
    }

    /**
     * C-MOVE on a fresh association: the peer sends what {@code query} matches to {@code destinationAe}.
     * Returns the final status (0000, B000 when some sub-operations failed, or a failure).
     */
    public int move(DicomNode called, DicomQuery query, String destinationAe) throws IOException {
        try (ScuAssociation a = openMove(called, query.model())) {
            return a.move(query, destinationAe);
        }
    }

    /**
     * The transfer syntaxes {@link #get(DicomNode, DicomQuery, List, InstanceSink)} proposes for each
     * storage SOP class: explicit and implicit VR little endian, then the common compressed syntaxes
     * ({@link TransferSyntax#COMPRESSED}), so an instance the peer holds compressed can come back exactly as
     * it is stored instead of being refused or decompressed by the peer. Eleven contexts per class.
     */
    public static final List<TransferSyntax> GET_TRANSFER_SYNTAXES = java.util.stream.Stream.concat(
            java.util.stream.Stream.of(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN),
            TransferSyntax.COMPRESSED.stream()).toList();

    /**
     * C-GET on a fresh association: the peer sends what {@code query} matches back on the same
     * association, and each instance streams to {@code sink} as it arrives (see {@link InstanceSink}).
     * Proposes the model's GET context plus, for each of {@code sopClasses} (the storage SOP classes to
     * accept, at most 11), one context per transfer syntax of {@link #GET_TRANSFER_SYNTAXES}, with SCP role
     * selection (PS3.7 D.3.3.4). An instance of a class not listed is not sent by the peer; it counts as
     * failed. For more classes, or other syntaxes, name them per class with
     * {@link #get(DicomNode, DicomQuery, Map, InstanceSink, Predicate)}.
     */
    public RetrieveOutcome get(DicomNode called, DicomQuery query, List<String> sopClasses, InstanceSink sink)
            throws IOException {
        return get(called, query, sopClasses, sink, progress -> true);
    }

    /**
     * C-GET as {@link #get(DicomNode, DicomQuery, List, InstanceSink)}; each Pending response's counts go
     * to {@code onPending}, and returning false cancels (C-CANCEL): the result then normally has FE00.
     */
    public RetrieveOutcome get(DicomNode called, DicomQuery query, List<String> sopClasses, InstanceSink sink,
            Predicate<RetrieveOutcome> onPending) throws IOException {
        return get(called, query, everySyntax(sopClasses), sink, onPending);
    }

    /**
     * C-GET accepting, for each storage SOP class, the transfer syntaxes listed for it (one presentation
     * context each, in that order of preference; at most 127 in all): e.g. only
     * {@link TransferSyntax#EXPLICIT_VR_LITTLE_ENDIAN} to have a peer that transcodes send everything
     * uncompressed, or a private syntax. A peer that cannot send an instance in one of its class's
     * syntaxes counts it as failed (or transcodes it, if it can).
     */
    public RetrieveOutcome get(DicomNode called, DicomQuery query, Map<String, List<TransferSyntax>> transferSyntaxes,
            InstanceSink sink, Predicate<RetrieveOutcome> onPending) throws IOException {
        try (ScuAssociation a = openGet(called, query.model(), transferSyntaxes)) {
            return a.get(query, sink, onPending);
        }
    }

    private static Map<String, List<TransferSyntax>> everySyntax(List<String> sopClasses) {
        Map<String, List<TransferSyntax>> syntaxes = new LinkedHashMap<>();
        sopClasses.forEach(sop -> syntaxes.put(sop, GET_TRANSFER_SYNTAXES));
        return syntaxes;
    }

    /**
     * Opens an association for C-GET on {@code model}, as {@link #get(DicomNode, DicomQuery, Map, InstanceSink,
     * Predicate)} does: the model's GET context plus, for each storage SOP class, one context per transfer
     * syntax listed for it, with SCP role selection (none: the peer can send nothing and counts each
     * sub-operation failed). Use it to {@link ScuAssociation#cancel()} a C-GET from another thread.
     */
    public ScuAssociation openGet(DicomNode called, QueryModel model, Map<String, List<TransferSyntax>> transferSyntaxes)
            throws IOException {
        List<Proposal> proposals = new ArrayList<>();
        proposals.add(Proposal.of(model.getSopClass(), TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN,
                TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN));
        List<RoleSelection> roles = new ArrayList<>();
        transferSyntaxes.forEach((sop, syntaxes) -> {
            if (syntaxes.isEmpty()) {
                throw new IllegalArgumentException("C-GET: no transfer syntax named for " + sop);
            }
            // One context per transfer syntax, so the peer can send each instance as it is stored.
            new LinkedHashSet<>(syntaxes).forEach(ts -> proposals.add(Proposal.of(sop, ts)));
            roles.add(new RoleSelection(sop, false, true)); // we are the storage SCP on this association
        });
        // none at all is allowed: the peer then counts every sub-operation failed (a relayed C-GET whose
        // requestor took no storage role still learns how many there were)
        if (proposals.size() > 128) {
            throw new IllegalArgumentException("C-GET: name at most 127 storage contexts (SOP class, transfer syntax), not "
                    + (proposals.size() - 1) + " for " + roles.size() + " classes");
        }
        return ScuAssociation.open(this, called, proposals, roles);
    }

    /**
     * Opens an association for C-MOVE on {@code model} (explicit, then implicit VR little endian).
     * Use it to {@link ScuAssociation#cancel()} a C-MOVE from another thread.
     */
    public ScuAssociation openMove(DicomNode called, QueryModel model) throws IOException {
        return open(called, List.of(Proposal.of(model.moveSopClass(), TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN,
                TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN)));
    }

    /**
     * C-MOVE on a fresh association, telling {@code onPending} each Pending response (return false to
     * cancel); returns the final status and sub-operation counts.
     */
    public RetrieveOutcome move(DicomNode called, DicomQuery query, String destinationAe, Predicate<RetrieveOutcome> onPending)
            throws IOException {
        try (ScuAssociation a = openMove(called, query.model())) {
            return a.move(query, destinationAe, onPending);
        }
    }

    /** The presentation context for {@code model}'s C-FIND, explicit then implicit VR little endian. */
    public static Proposal findProposal(QueryModel model) {
        return Proposal.of(model.findSopClass(), TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN,
                TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN);
    }

    /** Configures a {@link DicomClient}. */
    public static final class Builder {
        private final String callingAe;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration responseTimeout = Duration.ofSeconds(60);
        private int maxPduLength = 256 * 1024;
        private DicomTls tls;

        private Builder(String callingAe) {
            this.callingAe = AeTitles.require(callingAe, "DicomClient.callingAe");
        }

        /** TCP connect timeout. Default 10 s. */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = value;
            return this;
        }

        /** How long to wait for A-ASSOCIATE-AC, a DIMSE response or A-RELEASE-RP. Default 60 s. */
        public Builder responseTimeout(Duration value) {
            this.responseTimeout = value;
            return this;
        }

        /** The largest PDU we receive. Default 256 KiB. */
        public Builder maxPduLength(int bytes) {
            this.maxPduLength = bytes;
            return this;
        }

        /**
         * Connect over TLS 1.3/1.2: the server's certificate must chain to a trusted one and, unless
         * {@link DicomTls#verifyHostname} is off, name the host; our own certificate (if any) is offered.
         */
        public Builder tls(DicomTls value) {
            this.tls = value;
            return this;
        }

        public DicomClient build() {
            // Checked up to int milliseconds: both end up as socket timeouts.
            Timeouts.requirePositive(connectTimeout, "DicomClient.connectTimeout");
            Timeouts.requirePositive(responseTimeout, "DicomClient.responseTimeout");
            if (maxPduLength < 4096) {
                throw new IllegalArgumentException("DicomClient.maxPduLength must be >= 4096: " + maxPduLength);
            }
            return new DicomClient(this);
        }
    }
}
