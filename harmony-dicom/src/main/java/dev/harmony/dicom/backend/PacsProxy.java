package dev.harmony.dicom.backend;

import dev.harmony.dicom.AeTitles;
import dev.harmony.dicom.DicomAttributes;
import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.DicomTls;
import dev.harmony.dicom.DimseStatus;
import dev.harmony.dicom.Timeouts;
import dev.harmony.dicom.query.Dataset;
import dev.harmony.dicom.query.DicomQuery;
import dev.harmony.dicom.query.MoveOutcome;
import dev.harmony.dicom.query.QueryResults;
import dev.harmony.dicom.scu.AssociationRejectedException;
import dev.harmony.dicom.scu.DicomClient;
import dev.harmony.dicom.scu.ScuAssociation;
import dev.harmony.message.Protocol;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Backend;
import dev.harmony.pipeline.Rejection;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers C-FIND and C-MOVE by asking a PACS: a query is relayed as it came (same model, level and
 * keys) and the PACS's matches stream back as the exchange's {@link QueryResults}, one at a time, so a
 * large answer never sits in memory; when our requestor cancels (or stops reading), the relayed query is
 * cancelled at the PACS too (C-CANCEL). A C-MOVE is relayed with the same Move Destination: the PACS
 * sends the instances straight to the destination, so <b>the PACS must know that AE title</b> (host and
 * port in its own configuration), and the PACS's final status and counts go back to the requestor.
 * Every other exchange (C-STORE...) goes to the {@link Builder#otherwise next} backend, if any; C-GET is
 * not relayed (0122).
 *
 * <pre>{@code
 * PacsProxy.to(DicomNode.parse("PACS@pacs.local:104")).callingAe("HARMONY").otherwise(fileStore).build()
 * }</pre>
 *
 * <p>A PACS that cannot be reached or breaks off before answering is {@code UNAVAILABLE}, which
 * {@link DimseStatus#of} makes A700 (refused: out of resources, try later): C-FIND and C-MOVE define no
 * 0110, and SCUs such as DCMTK's show A700 as a known, transient refusal. A PACS that refuses our AE
 * titles is {@code FORBIDDEN} (0124), as in {@link DicomForward}, and a failure status the PACS answers
 * is passed back as it is, with the kind of {@link DimseStatus#kindOf}. A PACS that fails after some
 * matches were sent ends the query with 0110 from the listener.
 */
public final class PacsProxy implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(PacsProxy.class);
    /** Matches buffered between the PACS's association and our requestor's. */
    private static final int BUFFERED_MATCHES = 32;

    private final DicomNode pacs;
    private final DicomClient client;
    private final Duration responseTimeout;
    private final Backend next;

    private PacsProxy(Builder b) {
        this.pacs = b.pacs;
        DicomClient.Builder c = DicomClient.callingAe(b.callingAe).connectTimeout(b.connectTimeout)
                .responseTimeout(b.responseTimeout);
        this.client = (b.tls == null ? c : c.tls(b.tls)).build();
        this.responseTimeout = b.responseTimeout;
        this.next = b.next;
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
    }

    @Override
    public void stop() {
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
                return Response.rejected(Rejection.unsupported("PacsProxy relays C-FIND and C-MOVE, not C-GET"));
            default:
                if (next != null) {
                    return next.handle(request);
                }
                return request.operation().equals(DicomAttributes.OP_ASSOCIATE) ? Response.ok()
                        : Response.rejected(Rejection.unsupported("PacsProxy relays C-FIND and C-MOVE, not "
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
        if (!accepted(association, query)) {
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

    /** Whether the PACS accepted the find context in any transfer syntax ({@code supports} wants one). */
    private static boolean accepted(ScuAssociation association, DicomQuery query) {
        String sop = query.model().findSopClass();
        return association.supports(sop, dev.harmony.dicom.TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid())
                || association.supports(sop, dev.harmony.dicom.TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN.uid());
    }

    private Response move(Request request) {
        DicomQuery query = request.attribute(DicomAttributes.QUERY).orElse(null);
        String destination = request.attribute(DicomAttributes.MOVE_DESTINATION).orElse(null);
        if (query == null || destination == null) {
            return Response.rejected(Rejection.malformed("C-MOVE without a query or a destination"));
        }
        MoveOutcome outcome;
        try {
            outcome = client.move(pacs, query, destination, pending -> true);
        } catch (IllegalStateException e) {
            return Response.rejected(Rejection.unsupported(pacs.aeTitle() + " does not accept " + query.model() + " C-MOVE"));
        } catch (IOException e) {
            return unreachable(e);
        }
        int status = outcome.status();
        LOG.info("C-MOVE relayed to {} for {}: status {}", pacs, destination, DimseStatus.hex(status));
        if (DimseStatus.isSuccessOrWarning(status) || status == 0xFE00) {
            return Response.ok().with(DicomAttributes.MOVE_OUTCOME, outcome);
        }
        return Response.rejected(Rejection.of(DimseStatus.kindOf(status), pacs.aeTitle() + " answered C-MOVE status "
                + DimseStatus.hex(status))).with(DicomAttributes.DIMSE_STATUS, status)
                .with(DicomAttributes.MOVE_OUTCOME, outcome);
    }

    private Response unreachable(IOException e) {
        if (e instanceof AssociationRejectedException rj) {
            return Response.rejected(Rejection.of(DicomForward.rejectKind(rj), e.getMessage()));
        }
        return Response.rejected(Rejection.unavailable("cannot reach " + pacs + ": " + e.getMessage()));
    }

    private record End(int status) {
    }

    private record Failure(Exception cause) {
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

    /** Configures a {@link PacsProxy}. */
    public static final class Builder {
        private final DicomNode pacs;
        private String callingAe = "HARMONY";
        private DicomTls tls;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration responseTimeout = Duration.ofSeconds(60);
        private Backend next;

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

        /** How long to wait for each answer of the PACS (each match, the end of a move). Default 60 s. */
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
