package dev.harmony.queue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.harmony.jdbc.internal.ConnectionSource;
import dev.harmony.message.Attribute;
import dev.harmony.message.Body;
import dev.harmony.message.Json;
import dev.harmony.message.Protocol;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.AsyncBackend;
import dev.harmony.pipeline.Backend;
import dev.harmony.pipeline.BackendStage;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.pipeline.PipelineListener.Delivery;
import dev.harmony.pipeline.PipelineListener.DeliveryEvent;
import dev.harmony.pipeline.Rejection;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable delivery: a backend that accepts an exchange once it is safely stored, answers at once, and
 * delivers it to the destination backend in the background, retrying until the destination takes it.
 *
 * <pre>{@code
 * Backend pacs = DeliveryQueue.journal(Path.of("/var/lib/harmony/queue"))
 *         .deliverTo("pacs", DicomForward.to(DicomNode.parse("PACS@pacs.local:11112")).build())
 *         .maxAttempts(50).maxAge(Duration.ofDays(3))
 *         .build();
 * }</pre>
 *
 * <p><b>Accept.</b> The body streams to disk (or into PostgreSQL) with the request's protocol,
 * operation, path, query, headers (less {@code Authorization}, {@code Proxy-Authorization} and
 * {@code Cookie} by default) and the attributes that have an {@link AttributeCodec}; only when all of it
 * is durable (fsync of files and directory, or a committed transaction) does the stage answer: 202 with
 * header {@value #MESSAGE_ID_HEADER} (and, for HTTP, a JSON body with the id), which a DICOM listener
 * sends as status 0000. A DICOM {@code A-ASSOCIATE} exchange is not queued: it goes straight to the
 * destination (see {@link Builder#passThrough}).
 *
 * <p><b>Deliver.</b> Workers per destination ({@link Builder#workers}) take due messages and call the
 * destination. The answer is classified by its rejection kind alone: {@code UPSTREAM_UNAVAILABLE},
 * {@code UPSTREAM_TIMEOUT}, {@code UNAVAILABLE}, {@code TOO_MANY_REQUESTS} (its retry-after honoured),
 * {@code INTERNAL} and thrown exceptions are retried with exponential backoff and jitter; every other
 * kind is permanent and the message goes to dead-letter at once. A retryable failure also pauses the
 * destination for the same backoff (one probe at a time while it is down, so an outage does not use up
 * every message's attempts); a success ends the pause. After {@link Builder#maxAttempts} attempts, or
 * a failure past {@link Builder#maxAge}, a message is dead. Messages do not wait behind a failing one.
 *
 * <p><b>Listeners.</b> Each attempt, once its outcome is recorded, reaches the {@code PipelineListener}s
 * of the pipeline that accepted the message ({@code deliveryAttempted}: destination, outcome delivered /
 * retry scheduled / dead, duration), on the worker's thread; the pipeline's name is persisted with the
 * message, so attempts after a restart reach the pipeline of the same name.
 *
 * <p><b>Guarantees.</b> At least once: a crash after the destination took a message but before that
 * was recorded delivers it again, so receivers need an idempotency key. DICOM has one (the SOP Instance
 * UID); for FHIR use {@code FhirClient...conditionalCreate(mrnSystem)}; HTTP deliveries carry
 * {@value #IDEMPOTENCY_KEY_HEADER} with the message id. Order is not guaranteed across retries.
 *
 * <p><b>Back-pressure.</b> Past {@link Builder#maxMessages}, {@link Builder#maxBytes}, or with less
 * than {@link Builder#minFreeBytes} free on the queue's disk, the stage refuses new work with
 * {@code UNAVAILABLE} and a retry-after (DIMSE A700, HTTP 503 + Retry-After) rather than accept what it
 * cannot keep. Dead messages count: they hold their payload until replayed or purged.
 *
 * <p>Persisted attributes by default: the exchange id, principal and remote address; with harmony-dicom
 * present the calling, called and local AE titles, association id, SOP class and instance UIDs, message
 * id and transfer syntax; with harmony-http present scheme, host, path prefix, peer address, JWT subject,
 * issuer and client id. Add others with {@link Builder#persist}.
 */
public final class DeliveryQueue implements Backend {
    /** The header of the accept answer that carries the message id. */
    public static final String MESSAGE_ID_HEADER = "Harmony-Message-Id";
    /** The header an HTTP delivery carries, set to the message id (unless the request had one). */
    public static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
    /** On the accept answer and on each delivered request: the message id. */
    public static final Attribute<String> MESSAGE_ID = Attribute.of("queue.message-id", String.class);
    /** On each delivered request: which attempt this is (1 = the first). */
    public static final Attribute<Integer> ATTEMPT = Attribute.of("queue.attempt", Integer.class);

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryQueue.class);
    /** Started and not stopped, for the dashboard (see DashboardQueues). */
    private static final Set<DeliveryQueue> RUNNING = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final Store store;
    private final Destination destination;
    private final Codecs codecs;
    private final Settings s;
    private final Clock clock = Clock.systemUTC();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private long generation; // guarded by lock: bumped on every change a sleeping worker should see
    private volatile boolean running;
    private final List<Thread> workers = new ArrayList<>();
    private ScheduledExecutorService timer;
    private int consecutiveFailures; // guarded by lock
    private long pausedUntilNanos; // guarded by lock
    private final java.util.concurrent.atomic.AtomicLong attempts = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong failedAttempts = new java.util.concurrent.atomic.AtomicLong();

    private DeliveryQueue(Store store, Destination destination, Settings settings) {
        this.store = store;
        this.destination = destination;
        this.s = settings;
        this.codecs = Codecs.defaultsPlus(settings.extraCodecs);
    }

    /** A queue in the crash-safe journal under {@code dir} (one subdirectory per destination). */
    public static Journal journal(Path dir) {
        return new Journal(dir);
    }

    /** A queue shared by several nodes in PostgreSQL, e.g. {@code jdbc:postgresql://db/harmony?user=h}. */
    public static Postgres postgres(String jdbcUrl) {
        return new Postgres(ConnectionSource.postgres(jdbcUrl, "DeliveryQueue.postgres"), null);
    }

    /** A queue shared by several nodes in PostgreSQL, through the application's pool. */
    public static Postgres postgres(DataSource dataSource) {
        return new Postgres(ConnectionSource.of(dataSource), null);
    }

    /** Whether a rejection of {@code kind} from the destination is retried (else: dead-letter). */
    public static boolean isRetryable(Rejection.Kind kind) {
        return Verdict.retryable(kind);
    }

    /** The destination's name. */
    public String destination() {
        return destination.name;
    }

    /** The queues started in this JVM and not stopped, e.g. for a dashboard. */
    public static List<DeliveryQueue> running() {
        return RUNNING.stream().sorted(java.util.Comparator.comparing(DeliveryQueue::destination)).toList();
    }

    /** Where the messages live, e.g. {@code journal /var/lib/harmony/queue} (never credentials). */
    public String storeDescription() {
        return store.toString();
    }

    /** Delivery attempts started since this queue started (one per call of the destination). */
    public long attempts() {
        return attempts.get();
    }

    /** Attempts since start that failed: retried later or dead. */
    public long failedAttempts() {
        return failedAttempts.get();
    }

    /** Status, dead letters, replay and purge for this queue's destination; works while it runs. */
    public QueueAdmin admin() {
        return new StoreAdmin(List.of(store), this::wake, false);
    }

    @Override
    public Set<Protocol> protocols() {
        return destination.protocols;
    }

    @Override
    public Description describe() {
        return new Description("Delivery Queue", destination.name + " via " + store + " -> "
                + destination.description.label());
    }

    @Override
    public synchronized void start() throws Exception {
        if (running) {
            return;
        }
        store.open();
        try {
            destination.start.run();
        } catch (Exception e) {
            store.close();
            throw e;
        }
        timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "queue-" + destination.name + "-timer"));
        if (s.keepDelivered != null) {
            long every = Math.max(1000, Math.min(60_000, s.keepDelivered.toMillis() / 4));
            timer.scheduleWithFixedDelay(this::purgeOldDelivered, every, every, TimeUnit.MILLISECONDS);
        }
        running = true;
        RUNNING.add(this);
        for (int i = 1; i <= s.workers; i++) {
            Thread t = daemon(this::work, "queue-" + destination.name + "-" + i);
            workers.add(t);
            t.start();
        }
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        RUNNING.remove(this);
        wake();
        long deadline = System.nanoTime() + s.stopGrace.toNanos();
        for (Thread t : workers) {
            joinUntil(t, deadline);
        }
        for (Thread t : workers) {
            if (t.isAlive()) {
                t.interrupt(); // an attempt past the grace: it is recorded as unfinished and redone later
            }
        }
        for (Thread t : workers) {
            joinUntil(t, System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
        }
        workers.clear();
        try {
            store.releaseAll(s.nodeId);
        } catch (Exception e) {
            LOG.warn("queue {}: cannot release claims on stop (they expire with their lease): {}", destination.name,
                    e.toString());
        }
        destination.stop.run();
        timer.shutdownNow();
        store.close();
    }

    @Override
    public Response handle(Request request) throws Exception {
        if (s.passThrough.test(request)) {
            return destination.deliver(request);
        }
        if (!running) {
            return refuse("the delivery queue for " + destination.name + " is not running", "queue_stopped");
        }
        long declared = request.body().length();
        Store.Usage used = store.usage();
        if (used.messages() >= s.maxMessages) {
            return refuse("the delivery queue for " + destination.name + " is full (" + used.messages()
                    + " messages)", "queue_full");
        }
        long room = s.maxBytes - used.bytes();
        long free = usableSpace();
        long diskRoom = free - s.minFreeBytes;
        if (diskRoom <= 0 || declared > diskRoom) {
            return refuse("the delivery queue for " + destination.name + " is short of disk space (" + free
                    + " bytes free, keeps " + s.minFreeBytes + ")", "disk_low");
        }
        if (room <= 0 || declared > room) {
            return refuse("the delivery queue for " + destination.name + " is full (" + used.bytes() + " bytes)",
                    "queue_full");
        }
        String id = newId();
        Instant now = clock.instant();
        StoredRequest stored = StoredRequest.of(id, destination.name, now, request, codecs, s.omitHeaders);
        Codecs.StoredFile onDisk = Codecs.storedFile(request);
        SourceWatch source = onDisk != null ? null : new SourceWatch(request.body().stream());
        try {
            if (onDisk != null) {
                store.acceptFile(stored, onDisk.file(), onDisk.offset(), Math.min(room, diskRoom));
            } else {
                try (source) {
                    store.accept(stored, source, Math.min(room, diskRoom));
                }
            }
        } catch (DurableFiles.TooBig e) {
            return refuse("the delivery queue for " + destination.name + " has no room for this message: "
                    + e.getMessage(), "queue_full");
        } catch (Exception e) {
            if (source != null && source.failure != null) {
                throw source.failure; // the sender broke off: nothing was accepted
            }
            LOG.error("queue {}: cannot persist a message: {}", destination.name, e.toString());
            return refuse("the delivery queue for " + destination.name + " cannot store the message", "store_failed");
        }
        LOG.debug("queue {}: accepted {} ({})", destination.name, id, stored.summary());
        wake();
        Response accepted = Response.of(202).withHeader(MESSAGE_ID_HEADER, id).with(MESSAGE_ID, id);
        if (request.protocol().equals(Protocol.HTTP)) {
            ObjectNode body = Json.mapper().createObjectNode().put("messageId", id)
                    .put("destination", destination.name).put("state", MessageState.PENDING.name());
            accepted = accepted.withBody(Body.ofJson(body));
        }
        return accepted;
    }

    private Response refuse(String message, String reason) {
        return Response.rejected(Rejection.unavailable(message).withReason(reason).withRetryAfter(s.retryAfter));
    }

    private long usableSpace() {
        try {
            Path where = s.spaceCheckedAt;
            return Files.getFileStore(where).getUsableSpace();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the free space of the queue's disk", e);
        }
    }

    // ---- delivery ----

    private void work() {
        while (running) {
            long seen;
            long pauseNanos;
            lock.lock();
            try {
                seen = generation;
                pauseNanos = pausedUntilNanos - System.nanoTime();
            } finally {
                lock.unlock();
            }
            if (pauseNanos > 0) {
                await(seen, pauseNanos);
                continue;
            }
            Store.Claim claim;
            try {
                claim = store.claim(s.nodeId, s.lease, clock.instant()).orElse(null);
            } catch (Exception e) {
                LOG.warn("queue {}: cannot take the next message: {}", destination.name, e.toString());
                await(seen, s.pollInterval.toNanos());
                continue;
            }
            if (claim == null) {
                Instant now = clock.instant();
                long wait = store.nextDue().map(d -> Math.max(1, Duration.between(now, d).toNanos()))
                        .orElse(s.pollInterval.toNanos());
                await(seen, Math.min(wait, s.pollInterval.toNanos()));
                continue;
            }
            try {
                deliver(claim);
            } catch (Exception e) {
                // The outcome could not be recorded: the claim stays in flight and is recovered on restart
                // (journal) or when its lease expires (PostgreSQL). At least once, never lost.
                LOG.error("queue {}: cannot record the outcome of {}: {}", destination.name, claim.id(), e.toString());
                await(seen, s.pollInterval.toNanos());
            }
        }
    }

    private void deliver(Store.Claim claim) throws Exception {
        Progress p = claim.progress();
        int attempt = p.attempts();
        StoredRequest stored = claim.request();
        Request request = stored.toRequest(claim.bodyFile(), codecs).with(MESSAGE_ID, stored.id()).with(ATTEMPT, attempt);
        if (attempt > s.maxAttempts) { // earlier attempts never finished (e.g. the process died each time)
            Instant now = clock.instant();
            String why = attempt - 1 + " attempts did not finish";
            conclude(claim, request, MessageState.DEAD, now, new MessageEvent(now, MessageEvent.Type.DEAD, why),
                    Duration.ZERO, Delivery.DEAD, Rejection.internal(why), 0);
            return;
        }
        if (s.idempotencyKey && request.protocol().equals(Protocol.HTTP)
                && !request.headers().contains(IDEMPOTENCY_KEY_HEADER)) {
            request = request.withHeader(IDEMPOTENCY_KEY_HEADER, stored.id());
        }
        ScheduledFuture<?> renewal = s.renewLeases ? timer.scheduleWithFixedDelay(() -> renew(claim),
                s.lease.toMillis() / 3, s.lease.toMillis() / 3, TimeUnit.MILLISECONDS) : null;
        long started = System.nanoTime();
        attempts.incrementAndGet();
        Verdict verdict;
        boolean interrupted = false;
        try {
            verdict = Verdict.of(destination.deliver(request));
        } catch (InterruptedException e) {
            interrupted = true;
            verdict = null;
        } catch (Throwable t) {
            verdict = Verdict.of(t);
        } finally {
            if (renewal != null) {
                renewal.cancel(false);
            }
            if (claim.bodyIsCopy()) {
                Files.deleteIfExists(claim.bodyFile());
            }
        }
        interrupted |= Thread.interrupted();
        Instant now = clock.instant();
        long nanos = System.nanoTime() - started;
        long ms = TimeUnit.NANOSECONDS.toMillis(nanos);
        if (interrupted && !running) {
            String why = "the queue stopped during the attempt";
            conclude(claim, request, MessageState.PENDING, now, new MessageEvent(now, MessageEvent.Type.RECOVERED, why),
                    Duration.ZERO, Delivery.RETRY_SCHEDULED, Rejection.internal(why), nanos);
            return;
        }
        if (verdict == null) {
            verdict = new Verdict(false, true, null, "INTERNAL: interrupted", Rejection.internal("interrupted"));
        }
        if (verdict.delivered()) {
            destinationAnswered();
            LOG.debug("queue {}: delivered {} (attempt {}, {} ms)", destination.name, stored.id(), attempt, ms);
            conclude(claim, request, MessageState.DELIVERED, now, new MessageEvent(now, MessageEvent.Type.DELIVERED,
                    verdict.detail() + " in " + ms + " ms"), Duration.ZERO, Delivery.DELIVERED, null, nanos);
            return;
        }
        failedAttempts.incrementAndGet();
        String detail = verdict.detail() + " (attempt " + attempt + ", " + ms + " ms)";
        if (!verdict.retryable()) {
            destinationAnswered();
            LOG.warn("queue {}: {} is dead: permanent refusal {}", destination.name, stored.id(), detail);
            conclude(claim, request, MessageState.DEAD, now, new MessageEvent(now, MessageEvent.Type.DEAD,
                    "permanent: " + detail), Duration.ZERO, Delivery.DEAD, verdict.rejection(), nanos);
            return;
        }
        Duration age = Duration.between(stored.createdAt(), now);
        Duration delay = backoff(attempt, verdict.retryAfter());
        pauseDestination(verdict.retryAfter());
        if (attempt >= s.maxAttempts || age.compareTo(s.maxAge) >= 0) {
            String why = attempt >= s.maxAttempts ? attempt + " attempts" : "older than " + s.maxAge;
            LOG.warn("queue {}: {} is dead after {}: {}", destination.name, stored.id(), why, detail);
            conclude(claim, request, MessageState.DEAD, now, new MessageEvent(now, MessageEvent.Type.DEAD,
                    why + "; last: " + detail), Duration.ZERO, Delivery.DEAD, verdict.rejection(), nanos);
            return;
        }
        LOG.info("queue {}: {} failed, retry in {} ms: {}", destination.name, stored.id(), delay.toMillis(), detail);
        conclude(claim, request, MessageState.PENDING, now.plus(delay), new MessageEvent(now, MessageEvent.Type.FAILED,
                detail + "; next in " + delay.toMillis() + " ms"), delay, Delivery.RETRY_SCHEDULED, verdict.rejection(),
                nanos);
    }

    /** Records what the attempt decided, then (if recorded) tells the pipeline's listeners. */
    private void conclude(Store.Claim claim, Request request, MessageState state, Instant due, MessageEvent event,
            Duration delay, Delivery outcome, Rejection rejection, long nanos) throws Exception {
        Progress p = claim.progress();
        if (finish(claim, p.next(state, p.attempts(), due, event), delay)) {
            report(request, p.attempts(), outcome, rejection, nanos);
        }
    }

    /**
     * Tells the listeners of the pipeline that accepted the message (its name persisted with it) what
     * this attempt decided; only once the outcome is recorded (not for a claim lost to another node,
     * which attempts again and reports that).
     */
    private void report(Request request, int attempt, Delivery outcome, Rejection rejection, long nanos) {
        request.attribute(Attribute.PIPELINE).ifPresent(pipeline -> Pipeline.deliveryAttempted(new DeliveryEvent(
                pipeline, request.attribute(Attribute.EXCHANGE_ID).orElse(""), destination.name,
                request.attribute(MESSAGE_ID).orElseThrow(), attempt, outcome, rejection, Math.max(0, nanos))));
    }

    /** Records the outcome; false if the claim was lost meanwhile (another node redoes the attempt). */
    private boolean finish(Store.Claim claim, Progress next, Duration delay) throws Exception {
        if (!store.finish(claim, s.nodeId, next, delay)) {
            LOG.warn("queue {}: the claim on {} expired and was taken over; its outcome here is not recorded",
                    destination.name, claim.id());
            return false;
        }
        return true;
    }

    private void renew(Store.Claim claim) {
        try {
            if (!store.renew(claim, s.nodeId, s.lease)) {
                LOG.warn("queue {}: lost the lease on {} while delivering it", destination.name, claim.id());
            }
        } catch (Exception e) {
            LOG.warn("queue {}: cannot renew the lease on {}: {}", destination.name, claim.id(), e.toString());
        }
    }

    /** Exponential backoff with equal jitter (half fixed, half random); never shorter than retry-after. */
    private Duration backoff(int failures, Duration retryAfter) {
        long cap = s.maxBackoff.toMillis();
        long base = s.initialBackoff.toMillis();
        for (int i = 1; i < failures && base < cap; i++) {
            base *= 2;
        }
        base = Math.min(base, cap);
        long jittered = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
        long wait = retryAfter == null ? jittered : Math.max(jittered, retryAfter.toMillis());
        return Duration.ofMillis(wait);
    }

    private void pauseDestination(Duration retryAfter) {
        lock.lock();
        try {
            consecutiveFailures++;
            long until = System.nanoTime() + backoff(consecutiveFailures, retryAfter).toNanos();
            pausedUntilNanos = Math.max(pausedUntilNanos, until);
        } finally {
            lock.unlock();
        }
    }

    private void destinationAnswered() {
        lock.lock();
        try {
            if (consecutiveFailures > 0 || pausedUntilNanos != 0) {
                consecutiveFailures = 0;
                pausedUntilNanos = 0;
                generation++;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    private void purgeOldDelivered() {
        try {
            int n = store.purge(MessageState.DELIVERED, clock.instant().minus(s.keepDelivered));
            if (n > 0) {
                LOG.debug("queue {}: purged {} delivered messages", destination.name, n);
            }
        } catch (Exception e) {
            LOG.warn("queue {}: cannot purge delivered messages: {}", destination.name, e.toString());
        }
    }

    void wake() {
        lock.lock();
        try {
            generation++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void await(long seen, long nanos) {
        lock.lock();
        try {
            long left = nanos;
            while (running && generation == seen && left > 0) {
                left = changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
        if (Thread.interrupted() && running) {
            LOG.debug("queue {}: worker interrupted while idle", destination.name);
        }
    }

    private static String newId() {
        // Time first, so ids sort by acceptance; 64 random bits make collisions irrelevant.
        return String.format(Locale.ROOT, "%012x", System.currentTimeMillis()) + "-"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private static void joinUntil(Thread t, long deadlineNanos) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
            return;
        }
        try {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "DeliveryQueue[" + destination.name + " via " + store + "]";
    }

    /** Remembers a failure of the incoming stream, to tell a sender that broke off from a storage failure. */
    private static final class SourceWatch extends FilterInputStream {
        private IOException failure;

        SourceWatch(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                failure = e;
                throw e;
            }
        }
    }

    /** The destination backend, whichever kind it is. */
    private static final class Destination {
        interface Call {
            Response deliver(Request request) throws Exception;
        }

        interface Lifecycle {
            void run() throws Exception;
        }

        final String name;
        final Call call;
        final Lifecycle start;
        final Runnable stop;
        final Set<Protocol> protocols;
        final Description description;

        Destination(String name, Call call, Lifecycle start, Runnable stop, Set<Protocol> protocols,
                Description description) {
            this.name = name;
            this.call = call;
            this.start = start;
            this.stop = stop;
            this.protocols = protocols;
            this.description = description;
        }

        Response deliver(Request request) throws Exception {
            return call.deliver(request);
        }
    }

    /** Where the messages live; pick one, then {@link #deliverTo}. */
    public abstract static sealed class Location permits Journal, Postgres {
        Location() {
        }

        abstract Store storeFor(String destination);

        abstract Path spaceCheckedAt();

        abstract boolean shared();

        /** Queue for {@code backend}, under the name {@code destination} (letters, digits, {@code . _ -}). */
        public Builder deliverTo(String destination, Backend backend) {
            Objects.requireNonNull(backend, "DeliveryQueue.deliverTo: backend");
            return new Builder(this, new Destination(checkName(destination), backend::handle, backend::start,
                    backend::stop, backend.protocols(), backend.describe()));
        }

        /**
         * Queue for any backend; workers wait for a non-blocking one's answers. (The sealed parent is not a
         * functional interface, so a lambda still picks the {@link Backend} overload unambiguously.)
         */
        public Builder deliverTo(String destination, BackendStage stage) {
            Objects.requireNonNull(stage, "DeliveryQueue.deliverTo: backend");
            if (stage instanceof Backend blocking) {
                return deliverTo(destination, blocking);
            }
            AsyncBackend backend = (AsyncBackend) stage;
            return new Builder(this, new Destination(checkName(destination), r -> join(backend, r), backend::start,
                    backend::stop, backend.protocols(), backend.describe()));
        }

        private static Response join(AsyncBackend backend, Request r) throws Exception {
            try {
                return backend.handleAsync(r).toCompletableFuture().get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof Exception ex) {
                    throw ex;
                }
                throw e;
            }
        }

        private static String checkName(String name) {
            if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
                throw new IllegalArgumentException("DeliveryQueue.deliverTo: the destination name must be 1-64 "
                        + "letters, digits, '.', '_' or '-' (starting with a letter or digit), got '" + name + "'");
            }
            return name;
        }
    }

    /** The embedded crash-safe journal: files under one directory, no server needed. */
    public static final class Journal extends Location {
        private final Path dir;

        Journal(Path dir) {
            this.dir = Objects.requireNonNull(dir, "DeliveryQueue.journal: dir");
        }

        @Override
        Store storeFor(String destination) {
            return new JournalStore(dir, destination, false);
        }

        @Override
        Path spaceCheckedAt() {
            return existing(dir);
        }

        @Override
        boolean shared() {
            return false;
        }
    }

    /**
     * A queue in PostgreSQL that several nodes share: each claims due messages with
     * {@code FOR UPDATE SKIP LOCKED} and holds them under a lease (owner, expiry) that it renews while
     * delivering; a node that dies lets its leases expire and another node takes the work over. Payloads
     * are large objects (streamed in and out, never whole in memory), copied to a local spool file for the
     * attempt.
     */
    public static final class Postgres extends Location {
        private final ConnectionSource connections;
        private String table = "harmony_queue";
        private Path spool;

        Postgres(ConnectionSource connections, Path spool) {
            this.connections = connections;
            this.spool = spool;
        }

        /** The table (created if missing); default {@code harmony_queue}. */
        public Postgres table(String name) {
            if (name == null || !name.matches("[a-z_][a-z0-9_]{0,62}")) {
                throw new IllegalArgumentException("DeliveryQueue.postgres: table must be a lower-case SQL name, got '"
                        + name + "'");
            }
            this.table = name;
            return this;
        }

        /** Where a payload is copied for its attempt; default a new directory in {@code java.io.tmpdir}. */
        public Postgres spoolDirectory(Path dir) {
            this.spool = Objects.requireNonNull(dir, "spoolDirectory");
            return this;
        }

        @Override
        Store storeFor(String destination) {
            return new PostgresStore(connections, table, destination, spool, true);
        }

        @Override
        Path spaceCheckedAt() {
            return existing(spool != null ? spool : Path.of(System.getProperty("java.io.tmpdir")));
        }

        @Override
        boolean shared() {
            return true;
        }
    }

    private static Path existing(Path p) {
        Path q = p.toAbsolutePath();
        while (q != null && !Files.exists(q)) {
            q = q.getParent();
        }
        return q == null ? p : q;
    }

    private static final class Settings {
        int workers = 1;
        int maxAttempts = 20;
        Duration maxAge = Duration.ofDays(7);
        Duration initialBackoff = Duration.ofSeconds(1);
        Duration maxBackoff = Duration.ofMinutes(5);
        long maxMessages = 100_000;
        long maxBytes = Long.MAX_VALUE;
        long minFreeBytes = 256L * 1024 * 1024;
        Duration retryAfter = Duration.ofSeconds(30);
        Duration lease = Duration.ofSeconds(60);
        Duration pollInterval = Duration.ofSeconds(1);
        Duration keepDelivered = Duration.ofDays(1);
        Duration stopGrace = Duration.ofSeconds(10);
        Set<String> omitHeaders = Set.of("authorization", "proxy-authorization", "cookie");
        Predicate<Request> passThrough = r -> r.protocol().equals(Protocol.DICOM) && r.operation().equals("A-ASSOCIATE");
        boolean idempotencyKey = true;
        List<AttributeCodec<?>> extraCodecs = new ArrayList<>();
        String nodeId = defaultNodeId();
        boolean renewLeases;
        Path spaceCheckedAt;
    }

    private static String defaultNodeId() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "node";
        }
        return host + "-" + ProcessHandle.current().pid() + "-"
                + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
    }

    /** Configures a {@link DeliveryQueue}. */
    public static final class Builder {
        private final Location location;
        private final Destination destination;
        private final Settings s = new Settings();

        private Builder(Location location, Destination destination) {
            this.location = location;
            this.destination = destination;
        }

        /** Workers delivering to this destination at once; default 1 (keeps acceptance order while all goes well). */
        public Builder workers(int value) {
            this.s.workers = range("workers", value, 1, 64);
            return this;
        }

        /** Attempts before a message is dead; default 20. */
        public Builder maxAttempts(int value) {
            this.s.maxAttempts = range("maxAttempts", value, 1, 1_000_000);
            return this;
        }

        /** A message that fails when older than this is dead; default 7 days. */
        public Builder maxAge(Duration value) {
            this.s.maxAge = positive("maxAge", value);
            return this;
        }

        /** The first wait after a failure and the cap of the doubling waits; default 1 s and 5 min. */
        public Builder backoff(Duration initial, Duration max) {
            positive("backoff initial", initial);
            if (max == null || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("DeliveryQueue.backoff: max must be >= initial, got " + max);
            }
            this.s.initialBackoff = initial;
            this.s.maxBackoff = max;
            return this;
        }

        /** Refuse new work while this many messages hold a payload (pending, in flight, dead); default 100 000. */
        public Builder maxMessages(long value) {
            this.s.maxMessages = range("maxMessages", value, 1, Long.MAX_VALUE);
            return this;
        }

        /** Refuse new work past this many payload bytes held; default unlimited. */
        public Builder maxBytes(long value) {
            this.s.maxBytes = range("maxBytes", value, 1, Long.MAX_VALUE);
            return this;
        }

        /** Refuse new work when the queue's disk has less free than this; default 256 MiB. */
        public Builder minFreeBytes(long value) {
            this.s.minFreeBytes = range("minFreeBytes", value, 0, Long.MAX_VALUE);
            return this;
        }

        /** The retry-after a refused sender is told; default 30 s. */
        public Builder retryAfter(Duration value) {
            this.s.retryAfter = positive("retryAfter", value);
            return this;
        }

        /** PostgreSQL: how long a claim holds without renewal (renewed every third of it); default 60 s. */
        public Builder lease(Duration value) {
            this.s.lease = positive("lease", value);
            return this;
        }

        /** How often an idle worker looks for work it was not told about (other nodes, due retries); default 1 s. */
        public Builder pollInterval(Duration value) {
            this.s.pollInterval = positive("pollInterval", value);
            return this;
        }

        /** Purge delivered records (their history) after this long; default 1 day. {@code null}: keep them. */
        public Builder keepDelivered(Duration value) {
            this.s.keepDelivered = value == null ? null : positive("keepDelivered", value);
            return this;
        }

        /** How long stop() waits for attempts in progress; default 10 s. */
        public Builder stopGrace(Duration value) {
            this.s.stopGrace = positive("stopGrace", value);
            return this;
        }

        /** Headers not written to the queue (case-insensitive); default Authorization, Proxy-Authorization, Cookie. */
        public Builder omitHeaders(String... names) {
            Set<String> set = new java.util.HashSet<>();
            for (String n : names) {
                set.add(n.toLowerCase(Locale.ROOT));
            }
            this.s.omitHeaders = Set.copyOf(set);
            return this;
        }

        /** Requests answered by the destination directly instead of queued; default DICOM {@code A-ASSOCIATE}. */
        public Builder passThrough(Predicate<Request> value) {
            this.s.passThrough = Objects.requireNonNull(value, "passThrough");
            return this;
        }

        /** Whether HTTP deliveries carry {@value #IDEMPOTENCY_KEY_HEADER}; default true. */
        public Builder idempotencyKey(boolean value) {
            this.s.idempotencyKey = value;
            return this;
        }

        /** Also persist these attributes (a codec for a default attribute replaces the default). */
        public Builder persist(AttributeCodec<?>... codecs) {
            for (AttributeCodec<?> c : codecs) {
                this.s.extraCodecs.add(Objects.requireNonNull(c, "codec"));
            }
            return this;
        }

        /** PostgreSQL: this node's name in leases; default host, pid and a random suffix. */
        public Builder nodeId(String value) {
            if (value == null || value.isBlank() || value.length() > 200) {
                throw new IllegalArgumentException("DeliveryQueue.nodeId must be 1-200 characters");
            }
            this.s.nodeId = value;
            return this;
        }

        public DeliveryQueue build() {
            if (location.shared() && s.lease.compareTo(Duration.ofMillis(300)) < 0) {
                throw new IllegalArgumentException("DeliveryQueue.lease must be at least 300 ms");
            }
            s.renewLeases = location.shared();
            s.spaceCheckedAt = location.spaceCheckedAt();
            return new DeliveryQueue(location.storeFor(destination.name), destination, s);
        }

        private static int range(String name, int v, int min, int max) {
            if (v < min || v > max) {
                throw new IllegalArgumentException("DeliveryQueue." + name + " must be " + min + ".." + max + ", got " + v);
            }
            return v;
        }

        private static long range(String name, long v, long min, long max) {
            if (v < min || v > max) {
                throw new IllegalArgumentException("DeliveryQueue." + name + " must be >= " + min + ", got " + v);
            }
            return v;
        }

        private static Duration positive(String name, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("DeliveryQueue." + name + " must be positive, got " + d);
            }
            return d;
        }
    }
}
