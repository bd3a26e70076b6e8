package dev.harmony.dicom.backend;

import dev.harmony.dicom.AeTitles;
import dev.harmony.dicom.DicomAttributes;
import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.DicomTls;
import dev.harmony.dicom.DimseStatus;
import dev.harmony.dicom.Timeouts;
import dev.harmony.dicom.TransferSyntax;
import dev.harmony.dicom.Uids;
import dev.harmony.dicom.internal.dimse.SourceWatch;
import dev.harmony.dicom.scu.AssociationRejectedException;
import dev.harmony.dicom.scu.DicomClient;
import dev.harmony.dicom.scu.Proposal;
import dev.harmony.dicom.scu.ScuAssociation;
import dev.harmony.message.Protocol;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Backend;
import dev.harmony.pipeline.Rejection;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each C-STORE on to a PACS (C-STORE SCU) and answers with the PACS's status, which the
 * listener passes back to the modality unchanged. The data set streams straight from the incoming
 * association to the outgoing one in its negotiated transfer syntax (no transcoding), so the PACS must
 * accept that syntax; otherwise the answer is 0122 (refused: SOP class not supported).
 *
 * <pre>{@code
 * DicomForward.to(DicomNode.parse("PACS@pacs.local:11112")).callingAe("HARMONY").build()
 * }</pre>
 *
 * <p>At most {@code maxAssociations} associations (default 1) are open to the PACS at a time; an
 * exchange that finds them all busy waits for one (up to the response timeout). Each association
 * proposes every presentation context needed so far — each SOP class seen (or configured with
 * {@link Builder#propose}) in each transfer syntax seen, one context per pair, up to 128 — so a mixed
 * stream of objects usually travels on one association. An object that needs a context the open
 * association did not propose makes it be released first and a new one negotiated with the extra
 * context: a PACS that takes one association at a time is never left waiting for us to let go.
 * Associations are reused across objects and released after {@code idleRelease} without traffic.
 * A PACS that cannot be reached or refuses the association yields 0110 (processing failure), or 0124
 * when it does not recognise the AE titles. The PACS's failure statuses are passed back as they are,
 * with the rejection kind of {@link DimseStatus#kindOf} (what a delivery queue retries).
 */
public final class DicomForward implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(DicomForward.class);
    /** PS3.8 allows 128 presentation contexts (odd ids 1-255). */
    private static final int MAX_CONTEXTS = 128;

    private final DicomNode pacs;
    private final DicomClient client;
    private final Duration idleRelease;
    private final int maxIdleAssociations;
    private final ConcurrentLinkedDeque<Idle> idle = new ConcurrentLinkedDeque<>();
    private final Semaphore permits;
    private final Duration waitForAssociation;
    /** SOP classes and transfer syntaxes to propose, in the order first seen (configured ones first). */
    private final Set<String> sopClasses = new LinkedHashSet<>();
    private final Set<String> transferSyntaxes = new LinkedHashSet<>();
    private ScheduledExecutorService reaper;
    private volatile boolean stopped;

    /** One presentation context: a SOP class in one transfer syntax. */
    private record Context(String sopClass, String transferSyntax) {
    }

    /** An association with the contexts it proposed (accepted or not). */
    private record Held(ScuAssociation association, Set<Context> proposed) {
    }

    private record Idle(Held held, long since) {
    }

    private DicomForward(Builder b) {
        this.pacs = b.pacs;
        DicomClient.Builder client = DicomClient.callingAe(b.callingAe).connectTimeout(b.connectTimeout)
                .responseTimeout(b.responseTimeout);
        this.client = (b.tls == null ? client : client.tls(b.tls)).build();
        this.idleRelease = b.idleRelease;
        this.maxIdleAssociations = b.maxIdleAssociations;
        this.permits = new Semaphore(b.maxAssociations, true);
        this.waitForAssociation = b.connectTimeout.plus(b.responseTimeout);
        b.proposed.forEach(c -> {
            sopClasses.add(c.sopClass());
            transferSyntaxes.add(c.transferSyntax());
        });
    }

    /** Starts configuring a forwarder to {@code pacs}. */
    public static Builder to(DicomNode pacs) {
        return new Builder(pacs);
    }

    public DicomNode pacs() {
        return pacs;
    }

    @Override
    public synchronized void start() {
        stopped = false;
        if (reaper == null) {
            reaper = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "dicom-forward-reaper-" + pacs.aeTitle());
                t.setDaemon(true);
                return t;
            });
            long period = Math.max(100, idleRelease.toMillis() / 2);
            reaper.scheduleWithFixedDelay(this::releaseIdle, period, period, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public synchronized void stop() {
        stopped = true;
        if (reaper != null) {
            reaper.shutdownNow();
            reaper = null;
        }
        for (Idle i = idle.poll(); i != null; i = idle.poll()) {
            i.held().association().close();
        }
    }

    @Override
    public Set<Protocol> protocols() {
        return Set.of(Protocol.DICOM);
    }

    @Override
    public Description describe() {
        return new Description("DICOM Forward", pacs.toString());
    }

    /** Associations currently kept open for reuse. */
    public int idleAssociations() {
        return idle.size();
    }

    @Override
    public Response handle(Request request) throws IOException {
        if (request.operation().equals(DicomAttributes.OP_ASSOCIATE)) {
            return Response.ok();
        }
        if (!request.operation().equals(DicomAttributes.OP_C_STORE)) {
            return Response.rejected(Rejection.unsupported("DicomForward handles C-STORE, not " + request.operation()));
        }
        String sopClass = request.attribute(DicomAttributes.SOP_CLASS_UID).orElse("");
        String sopInstance = request.attribute(DicomAttributes.SOP_INSTANCE_UID).orElse("");
        TransferSyntax ts = request.attribute(DicomAttributes.TRANSFER_SYNTAX)
                .orElse(TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN);
        if (!Uids.isValid(sopClass)) {
            return Response.rejected(Rejection.invalid("Affected SOP Class UID '" + sopClass + "' is not a UID",
                    List.of()));
        }
        Context needed = new Context(sopClass, ts.uid());
        boolean permitted;
        try {
            permitted = permits.tryAcquire(waitForAssociation.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Response.rejected(Rejection.unavailable("interrupted while waiting for an association to " + pacs));
        }
        if (!permitted) {
            return Response.rejected(Rejection.upstreamUnavailable("every association to " + pacs + " stayed busy for "
                    + waitForAssociation.toSeconds() + " s"));
        }
        try {
            return forward(request, needed, sopInstance, ts);
        } finally {
            permits.release();
        }
    }

    private Response forward(Request request, Context needed, String sopInstance, TransferSyntax ts)
            throws IOException {
        Held held;
        try {
            held = borrow(needed);
        } catch (AssociationRejectedException e) {
            return Response.rejected(Rejection.of(rejectKind(e), e.getMessage()));
        } catch (IOException e) {
            return Response.rejected(Rejection.upstreamUnavailable("cannot reach " + pacs + ": " + e.getMessage()));
        }
        ScuAssociation association = held.association();
        if (!association.supports(needed.sopClass(), needed.transferSyntax())) {
            giveBack(held);
            return Response.rejected(Rejection.unsupported(pacs.aeTitle() + " does not accept " + needed.sopClass()
                    + " in " + ts.name()));
        }
        SourceWatch source = new SourceWatch(request.body().stream());
        int status;
        try {
            status = association.store(needed.sopClass(), sopInstance, needed.transferSyntax(), source);
        } catch (IOException e) {
            if (source.failure() != null) {
                throw source.failure(); // the sender broke off; nothing to tell the PACS beyond the abort already sent
            }
            return Response.rejected(Rejection.upstreamUnavailable("forwarding to " + pacs + " failed: " + e.getMessage()));
        }
        giveBack(held);
        if (DimseStatus.isSuccessOrWarning(status)) {
            return Response.ok().with(DicomAttributes.DIMSE_STATUS, status);
        }
        return Response.rejected(Rejection.of(DimseStatus.kindOf(status), pacs.aeTitle() + " answered C-STORE status "
                + DimseStatus.hex(status))).with(DicomAttributes.DIMSE_STATUS, status);
    }

    /**
     * An A-ASSOCIATE-RJ saying the PACS does not know our or its own AE title is configuration, not an
     * outage (FORBIDDEN, so a queue does not retry it); any other, transient or not, is retryable.
     */
    static Rejection.Kind rejectKind(AssociationRejectedException rj) {
        return rj.unknownAeTitle() ? Rejection.Kind.FORBIDDEN : Rejection.Kind.UPSTREAM_UNAVAILABLE;
    }

    /**
     * An idle association that can carry {@code needed} (or that proposed it and saw it refused), or a
     * new one. Idle associations that never proposed it are released before the new one is requested,
     * so a PACS that serves one association at a time can accept it at once.
     */
    private Held borrow(Context needed) throws IOException {
        for (Idle candidate = idle.pollFirst(); candidate != null; candidate = idle.pollFirst()) {
            Held held = candidate.held();
            if (!held.association().isOpen()) {
                continue;
            }
            if (held.proposed().contains(needed)) {
                return held;
            }
            LOG.debug("releasing {} to propose {} in {}", held.association(), needed.sopClass(),
                    needed.transferSyntax());
            held.association().close();
        }
        List<Proposal> proposals = new ArrayList<>();
        Set<Context> proposed = new LinkedHashSet<>();
        proposed.add(needed);
        synchronized (sopClasses) {
            sopClasses.add(needed.sopClass());
            transferSyntaxes.add(needed.transferSyntax());
            for (String sop : sopClasses) {
                for (String syntax : transferSyntaxes) {
                    if (proposed.size() < MAX_CONTEXTS) {
                        proposed.add(new Context(sop, syntax));
                    }
                }
            }
        }
        proposed.forEach(c -> proposals.add(new Proposal(c.sopClass(), List.of(c.transferSyntax()))));
        LOG.debug("opening association to {} with {} presentation contexts", pacs, proposals.size());
        return new Held(client.open(pacs, proposals), Set.copyOf(proposed));
    }

    private void giveBack(Held held) {
        ScuAssociation association = held.association();
        if (!association.isOpen()) {
            return;
        }
        if (stopped) {
            association.close(); // an exchange that outlived stop(): release instead of pooling
            return;
        }
        idle.addFirst(new Idle(held, System.nanoTime()));
        while (idle.size() > maxIdleAssociations) {
            Idle oldest = idle.pollLast();
            if (oldest != null) {
                oldest.held().association().close();
            }
        }
    }

    private void releaseIdle() {
        long now = System.nanoTime();
        for (Idle i : idle) {
            if (now - i.since() >= idleRelease.toNanos() && idle.remove(i)) {
                LOG.debug("releasing idle {}", i.held().association());
                i.held().association().close();
            }
        }
    }

    /** Configures a {@link DicomForward}. */
    public static final class Builder {
        private final DicomNode pacs;
        private String callingAe = "HARMONY";
        private Duration idleRelease = Duration.ofSeconds(30);
        private int maxIdleAssociations = 4;
        private int maxAssociations = 1;
        private DicomTls tls;
        private final List<Context> proposed = new ArrayList<>();
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration responseTimeout = Duration.ofSeconds(60);

        private Builder(DicomNode pacs) {
            this.pacs = Objects.requireNonNull(pacs, "DicomForward.to: pacs");
        }

        /** Our AE title towards the PACS. Default {@code HARMONY}. */
        public Builder callingAe(String value) {
            this.callingAe = AeTitles.require(value, "DicomForward.callingAe");
            return this;
        }

        /** Release an association after this long without traffic. Default 30 s. */
        public Builder idleRelease(Duration value) {
            this.idleRelease = value;
            return this;
        }

        /**
         * How many associations may be open to the PACS at once; more concurrent exchanges wait for one.
         * Default 1: one association per destination, which every PACS accepts.
         */
        public Builder maxAssociations(int value) {
            this.maxAssociations = value;
            return this;
        }

        /**
         * Proposes {@code sopClass} in each of {@code syntaxes} from the first association on (besides
         * what is learnt from the objects forwarded), so those objects need no renegotiation.
         */
        public Builder propose(String sopClass, TransferSyntax... syntaxes) {
            if (!Uids.isValid(sopClass)) {
                throw new IllegalArgumentException("DicomForward.propose: '" + sopClass + "' is not a UID");
            }
            if (syntaxes.length == 0) {
                throw new IllegalArgumentException("DicomForward.propose(" + sopClass + "): name a transfer syntax");
            }
            for (TransferSyntax ts : syntaxes) {
                proposed.add(new Context(sopClass, Objects.requireNonNull(ts, "DicomForward.propose").uid()));
            }
            return this;
        }

        /** How many idle associations to keep open for reuse (at most {@code maxAssociations}). Default 4. */
        public Builder maxIdleAssociations(int value) {
            this.maxIdleAssociations = value;
            return this;
        }

        /** Connect to the PACS over TLS (see {@link DicomClient.Builder#tls}). */
        public Builder tls(DicomTls value) {
            this.tls = value;
            return this;
        }

        public Builder connectTimeout(Duration value) {
            this.connectTimeout = value;
            return this;
        }

        public Builder responseTimeout(Duration value) {
            this.responseTimeout = value;
            return this;
        }

        public DicomForward build() {
            Timeouts.requirePositive(idleRelease, "DicomForward.idleRelease");
            // Checked here too, so a mistake names this stage rather than the client it builds.
            Timeouts.requirePositive(connectTimeout, "DicomForward.connectTimeout");
            Timeouts.requirePositive(responseTimeout, "DicomForward.responseTimeout");
            if (maxIdleAssociations < 0) {
                throw new IllegalArgumentException("DicomForward.maxIdleAssociations must be >= 0");
            }
            if (maxAssociations < 1) {
                throw new IllegalArgumentException("DicomForward.maxAssociations must be >= 1: " + maxAssociations);
            }
            return new DicomForward(this);
        }
    }
}
