package dev.harmony.dicom.backend;

import dev.harmony.dicom.AeTitles;
import dev.harmony.dicom.DicomAttributes;
import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.DicomTls;
import dev.harmony.dicom.DimseStatus;
import dev.harmony.dicom.Timeouts;
import dev.harmony.dicom.query.Dataset;
import dev.harmony.dicom.query.DicomQuery;
import dev.harmony.dicom.query.GetRequestor;
import dev.harmony.dicom.query.RetrieveOutcome;
import dev.harmony.dicom.query.QueryResults;
import dev.harmony.dicom.scu.AssociationRejectedException;
import dev.harmony.dicom.scu.DicomClient;
import dev.harmony.dicom.scu.DimseStatusException;
import dev.harmony.dicom.scu.ScuAssociation;
import dev.harmony.message.Protocol;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Backend;
import dev.harmony.pipeline.Rejection;
import dev.harmony.dicom.TransferSyntax;
import dev.harmony.dicom.Uids;
import dev.harmony.dicom.query.RetrieveProgress;
import dev.harmony.message.Attributes;
import dev.harmony.message.Body;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers C-FIND, C-MOVE and C-GET by asking a PACS: a query is relayed as it came (same model, level and
 * keys) and the PACS's matches stream back as the exchange's {@link QueryResults}, one at a time, so a
 * large answer never sits in memory; when our requestor cancels (or stops reading), the relayed query is
 * cancelled at the PACS too (C-CANCEL).
 *
 * <p>A C-MOVE is answered with a {@link RetrieveProgress}: the listener passes each of its responses on
 * as it comes (Pending with the counts, then the final one) and relays the requestor's C-CANCEL, which
 * is sent on the PACS's association at once. By default the C-MOVE is relayed with the same Move
 * Destination: the PACS sends the instances straight to the destination, so <b>the PACS must know that
 * AE title</b>. With {@link Builder#retrieveAndSend} the proxy fetches the instances itself (C-GET) and
 * streams each on to the destination's backend, so the PACS needs to know no destination; the counts
 * and final status are then the destination's (PS3.4 C.4.2.3.1: 0000, B000, A702 when all failed).
 * Every other exchange (C-STORE...) goes to the {@link Builder#otherwise next} backend, if any.
 *
 * <p>A C-GET is relayed too (for a modality behind a firewall, which cannot take the inbound association
 * a C-MOVE needs): our C-GET at the PACS proposes the storage classes and transfer syntaxes the requestor
 * accepted with SCP role (and explicit VR LE where it took only implicit VR LE, which we re-encode), and
 * each instance the PACS sends us streams back, while it arrives, as a C-STORE sub-operation on the
 * requestor's own association ({@link dev.harmony.dicom.query.GetRequestor}). The counts and final status
 * are what the requestor accepted; its failure status for a sub-operation is answered to the PACS. Its
 * C-CANCEL is relayed; if its association fails, the PACS's C-GET is cancelled.
 *
 * <pre>{@code
 * PacsProxy.to(DicomNode.parse("PACS@pacs.local:104")).callingAe("HARMONY").otherwise(fileStore).build()
 * }</pre>
 *
 * <p>A PACS that cannot be reached or breaks off before answering a C-FIND is {@code UNAVAILABLE}, which
 * {@link DimseStatus#of(Response, DimseStatus.Service)} makes A700 for C-FIND and A701 for C-MOVE and C-GET. A PACS
 * that refuses our AE titles is {@code FORBIDDEN} (0124), as in {@link DicomForward}, and a failure status
 * the PACS answers is passed back as it is. A PACS that fails after some matches were sent ends the query
 * with C000 from the listener; one that fails during a move ends it with A701 (no progress known yet) or
 * A702 and the last counts (FE00 after a cancel). A C-GET (relayed, or for retrieve-and-send-on) the PACS
 * breaks off ends with the true counts: B000 if some instances went on, else A702 (A701 if nothing was
 * known yet); if it breaks off in the middle of a data set relayed to a C-GET requestor, that requestor's
 * association is aborted (it cannot be told where the data set ends).
 */
public final class PacsProxy implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(PacsProxy.class);
    /**
     * The storage SOP classes a retrieve-and-send-on C-GET proposes by default (each in explicit and
     * implicit VR little endian): CT, MR, CR, DX, MG, US, SC, NM, PET, XA, RF, RT, presentation states,
     * SR, key objects, PDF, segmentation, registration, visible light.
     */
    public static final List<String> DEFAULT_STORAGE_CLASSES = List.of(
            "1.2.840.10008.5.1.4.1.1.2", "1.2.840.10008.5.1.4.1.1.2.1", "1.2.840.10008.5.1.4.1.1.4",
            "1.2.840.10008.5.1.4.1.1.4.1", "1.2.840.10008.5.1.4.1.1.1", "1.2.840.10008.5.1.4.1.1.1.1",
            "1.2.840.10008.5.1.4.1.1.1.1.1", "1.2.840.10008.5.1.4.1.1.1.2", "1.2.840.10008.5.1.4.1.1.1.2.1",
            "1.2.840.10008.5.1.4.1.1.1.3", "1.2.840.10008.5.1.4.1.1.13.1.3", "1.2.840.10008.5.1.4.1.1.6.1",
            "1.2.840.10008.5.1.4.1.1.3.1", "1.2.840.10008.5.1.4.1.1.7", "1.2.840.10008.5.1.4.1.1.7.2",
            "1.2.840.10008.5.1.4.1.1.7.4", "1.2.840.10008.5.1.4.1.1.20", "1.2.840.10008.5.1.4.1.1.128",
            "1.2.840.10008.5.1.4.1.1.130", "1.2.840.10008.5.1.4.1.1.12.1", "1.2.840.10008.5.1.4.1.1.12.2",
            "1.2.840.10008.5.1.4.1.1.481.1", "1.2.840.10008.5.1.4.1.1.481.2", "1.2.840.10008.5.1.4.1.1.481.3",
            "1.2.840.10008.5.1.4.1.1.481.5", "1.2.840.10008.5.1.4.1.1.11.1", "1.2.840.10008.5.1.4.1.1.88.11",
            "1.2.840.10008.5.1.4.1.1.88.22", "1.2.840.10008.5.1.4.1.1.88.33", "1.2.840.10008.5.1.4.1.1.88.59",
            "1.2.840.10008.5.1.4.1.1.88.67", "1.2.840.10008.5.1.4.1.1.104.1", "1.2.840.10008.5.1.4.1.1.66",
            "1.2.840.10008.5.1.4.1.1.66.1", "1.2.840.10008.5.1.4.1.1.66.4", "1.2.840.10008.5.1.4.1.1.77.1.4",
            "1.2.840.10008.5.1.4.1.1.77.1.1", "1.2.840.10008.5.1.4.1.1.77.1.5.1");
    /** Matches buffered between the PACS's association and our requestor's. */
    private static final int BUFFERED_MATCHES = 32;

    private final DicomNode pacs;
    private final DicomClient client;
    private final Duration responseTimeout;
    private final Backend next;
    /** Retrieve-and-send-on: the destinations by AE title; null when moves are relayed. */
    private final Map<String, Backend> fetchTo;
    /** What the fetch accepts: each storage class in explicit and implicit VR LE (what DicomForward sends on). */
    private final Map<String, List<TransferSyntax>> storageClasses;

    private PacsProxy(Builder b) {
        this.pacs = b.pacs;
        DicomClient.Builder c = DicomClient.callingAe(b.callingAe).connectTimeout(b.connectTimeout)
                .responseTimeout(b.responseTimeout);
        this.client = (b.tls == null ? c : c.tls(b.tls)).build();
        this.responseTimeout = b.responseTimeout;
        this.next = b.next;
        this.fetchTo = b.fetchTo == null ? null : Map.copyOf(b.fetchTo);
        Map<String, List<TransferSyntax>> fetched = new java.util.LinkedHashMap<>();
        b.storageClasses.forEach(sop -> fetched.put(sop, List.of(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN,
                TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN)));
        this.storageClasses = java.util.Collections.unmodifiableMap(fetched);
    }

    /** Starts configuring a proxy to {@code pacs}. */
    public static Builder to(DicomNode pacs) {
        return new Builder(pacs);
    }

    public DicomNode pacs() {
        return pacs;
    }

    @Override
    public void start() throws Exception {
        if (next != null) {
            next.start();
        }
        if (fetchTo != null) {
            for (Backend b : new java.util.LinkedHashSet<>(fetchTo.values())) {
                b.start();
            }
        }
    }

    @Override
    public void stop() {
        if (fetchTo != null) {
            new java.util.LinkedHashSet<>(fetchTo.values()).forEach(Backend::stop);
        }
        if (next != null) {
            next.stop();
        }
    }

    @Override
    public Set<Protocol> protocols() {
        return Set.of(Protocol.DICOM);
    }

    @Override
    public Description describe() {
        return new Description("PACS Proxy", pacs + (next == null ? "" : " (else " + next.describe().label() + ")"));
    }

    @Override
    public Response handle(Request request) throws Exception {
        switch (request.operation()) {
            case DicomAttributes.OP_C_FIND:
                return find(request);
            case DicomAttributes.OP_C_MOVE:
                return move(request);
            case DicomAttributes.OP_C_GET:
                return get(request);
            default:
                if (next != null) {
                    return next.handle(request);
                }
                return request.operation().equals(DicomAttributes.OP_ASSOCIATE) ? Response.ok()
                        : Response.rejected(Rejection.unsupported("PacsProxy relays C-FIND, C-MOVE and C-GET, not "
                                + request.operation()));
        }
    }

    private Response find(Request request) throws IOException {
        DicomQuery query = request.attribute(DicomAttributes.QUERY).orElse(null);
        if (query == null) {
            return Response.rejected(Rejection.malformed("C-FIND without a query"));
        }
        ScuAssociation association;
        try {
            association = client.open(pacs, List.of(DicomClient.findProposal(query.model())));
        } catch (IOException e) {
            return unreachable(e);
        }
        if (!accepted(association, query.model().findSopClass())) {
            association.close();
            return Response.rejected(Rejection.unsupported(pacs.aeTitle() + " does not accept " + query.model() + " C-FIND"));
        }
        Relay relay = new Relay(association, query);
        Object first;
        try {
            first = relay.peek();
        } catch (IOException e) {
            relay.close();
            return Response.rejected(Rejection.unavailable(e.getMessage()));
        }
        if (first instanceof End end && end.status() != DimseStatus.SUCCESS) {
            relay.close();
            return Response.rejected(Rejection.of(DimseStatus.kindOf(end.status()), pacs.aeTitle()
                    + " answered C-FIND status " + DimseStatus.hex(end.status())))
                    .with(DicomAttributes.DIMSE_STATUS, end.status());
        }
        if (first instanceof Failure f) {
            relay.close();
            return Response.rejected(Rejection.unavailable("C-FIND at " + pacs + " failed: " + f.cause().getMessage()));
        }
        return Response.ok().with(DicomAttributes.MATCHES, relay);
    }

    /** Whether the PACS accepted the context of {@code sop} in either syntax we propose ({@code supports} wants one). */
    private static boolean accepted(ScuAssociation association, String sop) {
        return association.supports(sop, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid())
                || association.supports(sop, TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN.uid());
    }

    private Response move(Request request) {
        DicomQuery query = request.attribute(DicomAttributes.QUERY).orElse(null);
        String destination = request.attribute(DicomAttributes.MOVE_DESTINATION).orElse(null);
        if (query == null || destination == null) {
            return Response.rejected(Rejection.malformed("C-MOVE without a query or a destination"));
        }
        Backend sendTo = null;
        if (fetchTo != null) {
            sendTo = fetchTo.get(destination);
            if (sendTo == null) {
                return Response.rejected(Rejection.of(Rejection.Kind.NOT_FOUND, "move destination '" + destination
                        + "' is not configured"));
            }
        }
        ScuAssociation association;
        try {
            association = sendTo == null ? client.openMove(pacs, query.model())
                    : client.openGet(pacs, query.model(), storageClasses);
        } catch (IOException e) {
            return unreachable(e);
        }
        String sop = sendTo == null ? query.model().moveSopClass() : query.model().getSopClass();
        if (!accepted(association, sop)) {
            association.close();
            return Response.rejected(Rejection.unsupported(pacs.aeTitle() + " does not accept " + query.model()
                    + (sendTo == null ? " C-MOVE" : " C-GET")));
        }
        Upstream up = sendTo == null ? new Relayed(association, query, destination)
                : new Fetch(association, query, destination, forwardTo(sendTo, destination), false);
        LOG.info("C-MOVE to {} {} {}", destination, sendTo == null ? "relayed to" : "fetched by C-GET from", pacs);
        return Response.ok().with(DicomAttributes.RETRIEVE_PROGRESS, up.start());
    }

    /**
     * A C-GET relayed: our C-GET at the PACS proposes the storage classes and syntaxes the requestor
     * accepted for its sub-operations (plus explicit VR LE where it took implicit: we re-encode), and
     * each instance the PACS sends us goes back to the requestor as it arrives.
     */
    private Response get(Request request) {
        DicomQuery query = request.attribute(DicomAttributes.QUERY).orElse(null);
        GetRequestor requestor = request.attribute(DicomAttributes.GET_REQUESTOR).orElse(null);
        if (query == null || requestor == null) {
            return Response.rejected(Rejection.malformed("C-GET without a query or a requestor to send to"));
        }
        ScuAssociation association;
        try {
            association = client.openGet(pacs, query.model(), proposalsFor(requestor.storageSyntaxes()));
        } catch (IOException e) {
            return unreachable(e);
        }
        if (!accepted(association, query.model().getSopClass())) {
            association.close();
            return Response.rejected(Rejection.unsupported(pacs.aeTitle() + " does not accept " + query.model() + " C-GET"));
        }
        LOG.info("C-GET of {} relayed to {}", request.attribute(DicomAttributes.CALLING_AE).orElse("?"), pacs);
        return Response.ok().with(DicomAttributes.RETRIEVE_PROGRESS,
                new Fetch(association, query, "the C-GET requestor", requestor::store, true).start());
    }

    /**
     * The storage contexts to propose to the PACS for a requestor that accepted {@code syntaxes}: its
     * own, plus explicit VR LE wherever it took implicit VR LE; as many classes as fit in 127 contexts.
     */
    static Map<String, List<TransferSyntax>> proposalsFor(Map<String, Set<String>> syntaxes) {
        Map<String, List<TransferSyntax>> proposals = new java.util.LinkedHashMap<>();
        int contexts = 0;
        for (Map.Entry<String, Set<String>> e : syntaxes.entrySet()) {
            Set<String> uids = new java.util.LinkedHashSet<>(e.getValue());
            if (uids.contains(TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN.uid())) {
                uids.add(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid());
            }
            if (contexts + uids.size() > 127) {
                LOG.warn("C-GET: the requestor accepted more storage contexts than fit in one association; {} and"
                        + " the classes after it are not proposed", e.getKey());
                break;
            }
            contexts += uids.size();
            proposals.put(e.getKey(), uids.stream()
                    .map(u -> TransferSyntax.of(u).orElseGet(() -> TransferSyntax.encapsulated(u, u))).toList());
        }
        return proposals;
    }

    /** Where retrieve-and-send-on sends an instance: the destination's backend, as a C-STORE exchange. */
    private static SubOperationTarget forwardTo(Backend destination, String destinationAe) {
        return (sopClass, sopInstance, transferSyntax, dataset) -> {
            Response r;
            try {
                r = destination.handle(Request.builder(Protocol.DICOM, DicomAttributes.OP_C_STORE)
                        .attributes(Attributes.empty()
                                .with(DicomAttributes.CALLED_AE, destinationAe)
                                .with(DicomAttributes.SOP_CLASS_UID, sopClass)
                                .with(DicomAttributes.SOP_INSTANCE_UID, sopInstance)
                                .with(DicomAttributes.TRANSFER_SYNTAX, TransferSyntax.of(transferSyntax)
                                        .orElseThrow(() -> new IOException("unknown transfer syntax " + transferSyntax))))
                        .body(Body.ofStream(dataset, -1, DicomAttributes.DATASET_CONTENT_TYPE))
                        .build());
            } catch (IOException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
            int status = DimseStatus.of(r);
            if (!r.isSuccess() && DimseStatus.isSuccessOrWarning(status)) {
                status = DimseStatus.PROCESSING_FAILURE;
            }
            if (!DimseStatus.isSuccessOrWarning(status)) {
                LOG.info("{} refused {}: {}", destinationAe, sopInstance,
                        r.rejection().map(Rejection::message).orElse(DimseStatus.hex(status)));
            }
            return status;
        };
    }

    /** Where a fetched instance goes: returns the C-STORE status it got; throws if it can take no more. */
    @FunctionalInterface
    private interface SubOperationTarget {
        int store(String sopClass, String sopInstance, String transferSyntax, InputStream dataset) throws IOException;
    }

    private Response unreachable(IOException e) {
        if (e instanceof AssociationRejectedException rj) {
            return Response.rejected(Rejection.of(DicomForward.rejectKind(rj), e.getMessage()));
        }
        return Response.rejected(Rejection.unavailable("cannot reach " + pacs + ": " + e.getMessage()));
    }

    private record Failure(Exception cause) {
    }

    private record End(int status) {
    }

    /**
     * The PACS's matches, handed from the thread that runs the relayed C-FIND (the SCU pushes them) to
     * the listener that pulls them. Closing makes the next match refused, which sends C-CANCEL.
     */
    private final class Relay implements QueryResults {
        private final BlockingQueue<Object> events = new ArrayBlockingQueue<>(BUFFERED_MATCHES);
        private final Thread thread;
        private volatile boolean closed;
        private Object head;
        private boolean done;

        Relay(ScuAssociation association, DicomQuery query) {
            thread = new Thread(() -> run(association, query), "pacs-proxy-find-" + pacs.aeTitle());
            thread.setDaemon(true);
            thread.start();
        }

        private void run(ScuAssociation association, DicomQuery query) {
            try (association) {
                int status = association.find(query, this::offer);
                offer(new End(status));
            } catch (IOException | RuntimeException e) {
                offer(new Failure(e));
            }
        }

        /** Hands on one event; false (cancel) once the listener has closed. */
        private boolean offer(Object event) {
            try {
                while (!closed) {
                    if (events.offer(event, 100, TimeUnit.MILLISECONDS)) {
                        return !closed;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        }

        Object peek() throws IOException {
            if (head == null) {
                head = take();
            }
            return head;
        }

        private Object take() throws IOException {
            try {
                // The SCU's own response timeout bounds the wait for each response; this is a backstop.
                Object e = events.poll(responseTimeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
                if (e == null) {
                    throw new IOException(pacs + " sent no C-FIND response in " + responseTimeout.toSeconds() + " s");
                }
                return e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for " + pacs);
            }
        }

        @Override
        public Dataset next() throws IOException {
            if (done) {
                return null;
            }
            Object e = peek();
            head = null;
            if (e instanceof Dataset match) {
                return match;
            }
            done = true;
            if (e instanceof End end) {
                if (end.status() == DimseStatus.SUCCESS) {
                    return null;
                }
                throw new IOException(pacs.aeTitle() + " ended the C-FIND with status " + DimseStatus.hex(end.status()));
            }
            throw new IOException("C-FIND at " + pacs + " failed", ((Failure) e).cause());
        }

        /** Stops the relayed query (C-CANCEL if it is still running) and waits, bounded, until it ended. */
        @Override
        public void close() {
            closed = true;
            events.clear();
            try {
                thread.join(responseTimeout.toMillis() + 5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * A retrieve at the PACS, run on its own thread, whose responses are handed to the listener that
     * pulls them ({@link RetrieveProgress}); the listener's cancel is sent on the PACS's association at
     * once, from the listener's thread, while ours waits for the PACS's next response.
     */
    private abstract class Upstream implements RetrieveProgress {
        private final BlockingQueue<Object> events = new ArrayBlockingQueue<>(BUFFERED_MATCHES);
        final ScuAssociation association;
        private Thread thread;
        private volatile boolean closed;
        private volatile long lastEvent = System.nanoTime();
        /** A sub-operation is under way: bounded by its target's timeouts, not by the wait for the PACS. */
        volatile boolean subOperation;
        volatile boolean cancelSent;

        Upstream(ScuAssociation association) {
            this.association = association;
        }

        /** Runs the retrieve at the PACS, handing each Pending response to {@link #pending}; returns the final one. */
        abstract RetrieveOutcome retrieve() throws IOException;

        Upstream start() {
            thread = new Thread(this::run, "pacs-proxy-retrieve-" + pacs.aeTitle());
            thread.setDaemon(true);
            thread.start();
            return this;
        }

        private void run() {
            try (association) {
                offer(retrieve());
            } catch (IOException | RuntimeException e) {
                offer(new Failure(e));
            }
        }

        /** A Pending response of the PACS: handed on; the cancel is sent by {@link #cancel()}, not here. */
        boolean pending(RetrieveOutcome o) {
            offer(o);
            return true;
        }

        /** Hands on one event, waiting while the listener catches up; false once it closed. */
        boolean offer(Object event) {
            try {
                while (!closed) {
                    if (events.offer(event, 100, TimeUnit.MILLISECONDS)) {
                        return true;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return false;
        }

        @Override
        public RetrieveOutcome poll(Duration wait) throws IOException {
            Object e;
            try {
                e = events.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for " + pacs);
            }
            if (e == null) {
                // The SCU's response timeout bounds each wait for the PACS; this is a backstop.
                if (!subOperation && System.nanoTime() - lastEvent > backstop().toNanos()) {
                    association.abort();
                    throw new IOException(pacs + " sent no response in " + backstop().toSeconds() + " s");
                }
                return null;
            }
            lastEvent = System.nanoTime();
            if (e instanceof Failure f) {
                throw new IOException("retrieve at " + pacs + " failed: " + f.cause().getMessage(), f.cause());
            }
            return (RetrieveOutcome) e;
        }

        Duration backstop() {
            return responseTimeout.plusSeconds(5);
        }

        /** The retrieve is alive (a sub-operation began or ended): the backstop counts from now. */
        void alive() {
            lastEvent = System.nanoTime();
        }

        @Override
        public void cancel() {
            cancelSent = true;
            try {
                association.cancel();
            } catch (IOException e) {
                LOG.info("C-CANCEL to {} failed: {}", pacs, e.toString());
            }
        }

        /** If the PACS's retrieve still runs (our requestor went away), cancel it, then abort after a bounded wait. */
        @Override
        public void close() {
            closed = true;
            if (thread.isAlive()) {
                cancel();
                events.clear();
                try {
                    thread.join(backstop().toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (thread.isAlive()) {
                    association.abort();
                }
            }
        }
    }

    /** The C-MOVE relayed as it came: the PACS sends to the destination itself. */
    private final class Relayed extends Upstream {
        private final DicomQuery query;
        private final String destination;

        Relayed(ScuAssociation association, DicomQuery query, String destination) {
            super(association);
            this.query = query;
            this.destination = destination;
        }

        @Override
        RetrieveOutcome retrieve() throws IOException {
            return association.move(query, destination, this::pending);
        }
    }

    /**
     * A C-GET at the PACS whose instances stream on while they arrive: to the destination's backend
     * (retrieve-and-send-on: a {@link DicomForward}, or a queue in front of one), or back to the requestor
     * of a relayed C-GET. The counts the requestor sees are ours (what the target took): an instance the
     * target refused is answered to the PACS with the target's failure status (0110 if it failed
     * otherwise) and counted failed, as is one the PACS failed to send us. If the PACS breaks off after
     * some instances went on, the final status says what happened to them: B000 if some arrived, A702 if
     * none did (the instances the PACS still had to send counted as failed), FE00 after a cancel.
     */
    private final class Fetch extends Upstream {
        private final DicomQuery query;
        private final String targetName;
        private final SubOperationTarget target;
        private final boolean stopOnFailure;
        // written by the C-GET's thread only, read by it when it hands on a response
        private int completed;
        private int warning;
        private int refused;
        private RetrieveOutcome lastPending;
        private int doneAtLastPending;

        /**
         * @param stopOnFailure whether a target that throws can take no more (a C-GET requestor whose
         *        association failed): the C-GET at the PACS is then cancelled at once
         */
        Fetch(ScuAssociation association, DicomQuery query, String targetName, SubOperationTarget target,
                boolean stopOnFailure) {
            super(association);
            this.query = query;
            this.targetName = targetName;
            this.target = target;
            this.stopOnFailure = stopOnFailure;
        }

        @Override
        RetrieveOutcome retrieve() throws IOException {
            RetrieveOutcome pacsFinal;
            try {
                pacsFinal = association.get(query, this::sendOn, p -> {
                    lastPending = p;
                    doneAtLastPending = completed + warning + refused;
                    return pending(new RetrieveOutcome(p.status(), p.remaining(), completed, failed(p), warning));
                });
            } catch (IOException | RuntimeException e) {
                if (completed + warning + refused == 0 && lastPending == null) {
                    throw e; // nothing is known yet: the listener answers A701
                }
                LOG.warn("C-GET at {} broke off after {} completed, {} failed, {} warning: {}", pacs, completed,
                        refused, warning, e.toString());
                return brokenOff();
            }
            int allFailed = failed(pacsFinal);
            int status = pacsFinal.status();
            if (status == DimseStatus.CANCEL) {
                return new RetrieveOutcome(status, pacsFinal.remaining(), completed, allFailed, warning);
            }
            if (completed + warning + allFailed == 0 && !DimseStatus.isSuccessOrWarning(status)) {
                return new RetrieveOutcome(status, -1, 0, 0, 0); // the PACS refused the C-GET itself: its reason
            }
            return new RetrieveOutcome(DimseStatus.ofSubOperations(completed, allFailed, warning), -1, completed,
                    allFailed, warning);
        }

        /** The final outcome of a C-GET the PACS broke off: what went on, and the rest failed. */
        private RetrieveOutcome brokenOff() {
            int failed = lastPending == null ? refused : Math.max(refused, lastPending.failed());
            // what the PACS still had to send at its last Pending response, less what came since
            int unconfirmed = lastPending == null ? 0
                    : Math.max(0, lastPending.remaining() - (completed + warning + refused - doneAtLastPending));
            if (cancelSent) {
                return new RetrieveOutcome(DimseStatus.CANCEL, unconfirmed, completed, failed, warning);
            }
            int status = completed + warning > 0 ? DimseStatus.SUBOPERATIONS_WARNING
                    : DimseStatus.UNABLE_TO_PERFORM_SUBOPERATIONS; // never success: the C-GET did not finish
            return new RetrieveOutcome(status, -1, completed, failed + unconfirmed, warning);
        }

        /**
         * The failed sub-operations so far: those we refused (the target did not take them, or the
         * PACS sent them on a context not ours), and those the PACS counted failed without sending them.
         */
        private int failed(RetrieveOutcome pacs) {
            return Math.max(pacs.failed(), Math.max(refused, pacs.refusedByUs().size()));
        }

        /** One C-STORE sub-operation of the C-GET: on to the target; a refusal throws, so the PACS counts it failed. */
        private void sendOn(String sopClass, String sopInstance, String transferSyntax, InputStream dataset)
                throws IOException {
            int status;
            subOperation = true;
            try {
                status = target.store(sopClass, sopInstance, transferSyntax, dataset);
            } catch (IOException | RuntimeException e) {
                refused++;
                if (stopOnFailure && !cancelSent) {
                    cancel(); // the requestor's association is gone: nothing more can reach it
                }
                throw e;
            } finally {
                subOperation = false;
                alive();
            }
            if (status == DimseStatus.SUCCESS) {
                completed++;
            } else if (DimseStatus.isSuccessOrWarning(status)) {
                warning++;
            } else {
                refused++;
                throw new DimseStatusException(targetName + " refused " + sopInstance + " fetched from " + pacs, status);
            }
        }
    }

    /** Configures a {@link PacsProxy}. */
    public static final class Builder {
        private final DicomNode pacs;
        private String callingAe = "HARMONY";
        private DicomTls tls;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration responseTimeout = Duration.ofSeconds(60);
        private Backend next;
        private Map<String, Backend> fetchTo;
        private List<String> storageClasses = DEFAULT_STORAGE_CLASSES;

        private Builder(DicomNode pacs) {
            this.pacs = Objects.requireNonNull(pacs, "PacsProxy.to: pacs");
        }

        /** Our AE title towards the PACS (it must admit it, and for C-MOVE know the destinations). Default {@code HARMONY}. */
        public Builder callingAe(String value) {
            this.callingAe = AeTitles.require(value, "PacsProxy.callingAe");
            return this;
        }

        /** Where every exchange other than C-FIND, C-MOVE and C-GET goes (e.g. a {@link DicomFileStore} for C-STORE). */
        public Builder otherwise(Backend value) {
            this.next = Objects.requireNonNull(value, "PacsProxy.otherwise");
            return this;
        }

        /**
         * Retrieve-and-send-on instead of relaying C-MOVE: the proxy fetches the instances from the PACS
         * itself (C-GET, so the PACS needs to know no destination, only to allow our C-GET) and sends each
         * on, while it arrives, to the backend of the requested Move Destination, e.g. a
         * {@link DicomForward} to it, or a queue in front of one. A Move Destination not in
         * {@code destinations} is A801. The counts are the destination's: an instance it refuses is failed.
         */
        public Builder retrieveAndSend(Map<String, ? extends Backend> destinations) {
            if (destinations.isEmpty()) {
                throw new IllegalArgumentException("PacsProxy.retrieveAndSend: name at least one destination");
            }
            destinations.keySet().forEach(ae -> AeTitles.require(ae, "PacsProxy.retrieveAndSend"));
            this.fetchTo = Map.copyOf(destinations);
            return this;
        }

        /**
         * The storage SOP classes (1 to 63) proposed for the C-GET of {@link #retrieveAndSend}; an
         * instance of another class cannot be fetched and counts as failed. Default: the common image,
         * presentation state, structured report and RT classes ({@link #DEFAULT_STORAGE_CLASSES}).
         */
        public Builder storageClasses(List<String> sopClasses) {
            if (sopClasses.isEmpty() || new java.util.HashSet<>(sopClasses).size() > 63) {
                throw new IllegalArgumentException("PacsProxy.storageClasses: 1 to 63 SOP classes, not " + sopClasses.size());
            }
            sopClasses.forEach(u -> {
                if (!Uids.isValid(u)) {
                    throw new IllegalArgumentException("PacsProxy.storageClasses: not a UID: " + u);
                }
            });
            this.storageClasses = List.copyOf(sopClasses);
            return this;
        }

        /** Connect to the PACS over TLS (see {@link DicomClient.Builder#tls}). */
        public Builder tls(DicomTls value) {
            this.tls = value;
            return this;
        }

        /** TCP connect timeout to the PACS. Default 10 s. */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = value;
            return this;
        }

        /** How long to wait for each answer of the PACS (each match, each response or sub-operation). Default 60 s. */
        public Builder responseTimeout(Duration value) {
            this.responseTimeout = value;
            return this;
        }

        public PacsProxy build() {
            Timeouts.requirePositive(connectTimeout, "PacsProxy.connectTimeout");
            Timeouts.requirePositive(responseTimeout, "PacsProxy.responseTimeout");
            return new PacsProxy(this);
        }
    }
}
