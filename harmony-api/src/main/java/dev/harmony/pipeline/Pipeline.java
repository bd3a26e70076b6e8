package dev.harmony.pipeline;

import dev.harmony.message.Attribute;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A built pipeline: {@code Frontend -> Middleware... -> Backend}. Create one with {@link #builder()},
 * then {@link #start()} it; {@link #close()} (or {@link #stop()}) ends it. Start, stop and close are
 * idempotent, and a failed start releases whatever it had opened.
 *
 * <pre>{@code
 * try (Pipeline p = Pipeline.builder()
 *         .name("dicom-scp")
 *         .source("Modality", "CT Scanner")
 *         .frontend(DicomScp.port(11112).aeTitle("HARMONY").build())
 *         .use(AeTitleCheck.allow("CT1").build())
 *         .backend(DicomFileStore.under(Path.of("data")).build())
 *         .target("File System")
 *         .build()) {
 *     p.start();
 *     ...
 * }
 * }</pre>
 */
public final class Pipeline implements Handler, AutoCloseable {
    private static final List<Pipeline> RUNNING = new CopyOnWriteArrayList<>();

    private enum State { NEW, RUNNING, STOPPED, CLOSED }

    private final String name;
    private final Named<Frontend> frontend;
    private final List<Named<MiddlewareStage>> middleware;
    private final Named<BackendStage> backend;
    /** Middleware then backend, each bridged once into the form the engine runs. */
    private final List<Exchange.Step> steps;
    private final List<Diagram.Node> sources;
    private final List<Diagram.Node> targets;
    private final List<PipelineListener> listeners;
    private final Logger log;
    private State state = State.NEW;

    Pipeline(String name, Named<Frontend> frontend, List<Named<MiddlewareStage>> middleware,
            Named<BackendStage> backend, List<Diagram.Node> sources, List<Diagram.Node> targets,
            List<PipelineListener> listeners) {
        this.name = name;
        this.frontend = frontend;
        this.middleware = List.copyOf(middleware);
        this.backend = backend;
        this.steps = Stream.concat(middleware.stream().map(Named::stage), Stream.of(backend.stage()))
                .map(Exchange::step).toList();
        this.sources = List.copyOf(sources);
        this.targets = List.copyOf(targets);
        this.listeners = new CopyOnWriteArrayList<>();
        listeners.forEach(this::addListener);
        this.log = LoggerFactory.getLogger("dev.harmony.pipeline." + name);
    }

    /** Starts describing a new pipeline. */
    public static PipelineBuilder builder() {
        return new PipelineBuilder();
    }

    /** Every pipeline currently running in this JVM, in start order (for dashboards and admin tools). */
    public static List<Pipeline> running() {
        return List.copyOf(RUNNING);
    }

    public String name() {
        return name;
    }

    /**
     * The pipeline as a picture model: sources, frontend, middleware, backend, targets. Stages describe
     * themselves at each call, so a running listener can show the port it actually bound.
     */
    public Diagram diagram() {
        return new Diagram(name, sources, node(frontend), middleware.stream().map(Pipeline::node).toList(),
                node(backend), targets);
    }

    private static Diagram.Node node(Named<? extends Stage> s) {
        Stage.Description d = s.stage().describe();
        return new Diagram.Node(s.name(), d.label(), d.detail());
    }

    public Frontend frontend() {
        return frontend.stage();
    }

    public synchronized boolean isRunning() {
        return state == State.RUNNING;
    }

    /**
     * Attaches an observer; it sees every exchange from now on. A listener already attached (the same
     * object) is not attached twice, so each exchange counts once.
     *
     * @return whether it was attached now (false: it already was)
     */
    public boolean addListener(PipelineListener listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (listeners) {
            if (listeners.stream().anyMatch(l -> l == listener)) {
                return false;
            }
            return listeners.add(listener);
        }
    }

    /** Detaches an observer (the same object that was attached). */
    public void removeListener(PipelineListener listener) {
        synchronized (listeners) {
            listeners.removeIf(l -> l == listener);
        }
    }

    /**
     * Starts backend, then middleware from the back, then the frontend, so nothing is accepted before
     * everything behind it is ready. Does nothing if already running.
     *
     * @throws PipelineException naming the stage that failed; every stage started before it is stopped again
     */
    public synchronized void start() {
        if (state == State.RUNNING) {
            return;
        }
        if (state == State.CLOSED) {
            throw new IllegalStateException("pipeline '" + name + "' is closed");
        }
        int startedMiddleware = 0;
        boolean backendStarted = false;
        String current = describeStage(backend, "backend");
        try {
            backend.stage().start();
            backendStarted = true;
            for (int i = middleware.size() - 1; i >= 0; i--) {
                current = describeStage(middleware.get(i), "middleware #" + (i + 1));
                middleware.get(i).stage().start();
                startedMiddleware++;
            }
            current = describeStage(frontend, "frontend");
            frontend.stage().start(this);
        } catch (Exception e) {
            for (Named<MiddlewareStage> m : middleware.subList(middleware.size() - startedMiddleware, middleware.size())) {
                quietly(m, () -> m.stage().stop());
            }
            if (backendStarted) {
                quietly(backend, () -> backend.stage().stop());
            }
            throw new PipelineException("pipeline '" + name + "': " + current + " failed to start: " + e.getMessage(), e);
        }
        state = State.RUNNING;
        RUNNING.add(this);
        log.info("pipeline '{}' started: {}", name, diagram().flow());
    }

    /** Stops the frontend first (no new exchanges), then middleware, then the backend. Idempotent. */
    public synchronized void stop() {
        if (state != State.RUNNING) {
            return;
        }
        RUNNING.remove(this);
        quietly(frontend, () -> frontend.stage().stop());
        for (Named<MiddlewareStage> m : middleware) {
            quietly(m, () -> m.stage().stop());
        }
        quietly(backend, () -> backend.stage().stop());
        state = State.STOPPED;
        log.info("pipeline '{}' stopped", name);
    }

    /** Stops the pipeline for good; it cannot be started again. Idempotent. */
    @Override
    public synchronized void close() {
        stop();
        state = State.CLOSED;
    }

    /**
     * Runs one exchange with the calling thread as the place for blocking stages, and waits for it.
     * Frontends call this; so can tests. Never throws: failures come back as a response carrying a
     * {@link Rejection}.
     */
    @Override
    public Response handle(Request request) {
        return run(request, Runnable::run, Thread.currentThread()).join();
    }

    /**
     * Runs one exchange without blocking the calling thread: {@link AsyncMiddleware} and
     * {@link AsyncBackend} run here or where their futures complete; the first blocking stage moves the
     * exchange to {@code blocking}, and the blocking stages after it run on that same worker. Never
     * completes exceptionally.
     */
    @Override
    public CompletionStage<Response> handleAsync(Request request, Executor blocking) {
        return run(request, Objects.requireNonNull(blocking, "blocking executor"), null);
    }

    private CompletableFuture<Response> run(Request request, Executor blocking, Thread mayBlock) {
        Request r = (request.attribute(Attribute.EXCHANGE_ID).isPresent() ? request
                : request.with(Attribute.EXCHANGE_ID, newExchangeId())).with(Attribute.PIPELINE, name);
        String id = exchangeId(r);
        for (PipelineListener l : listeners) {
            notifyQuietly(() -> l.exchangeStarted(name, id, r));
        }
        long started = listeners.isEmpty() ? 0 : System.nanoTime();
        return new Exchange(this, id, blocking, mayBlock).run(r).handle((result, failure) -> {
            if (failure != null) { // only a bug in the engine itself can get here
                ErrorLog.error(log, failure, "pipeline '{}': exchange failed", name);
                result = new Exchange.Result(Response.rejected(Rejection.internal(
                        "internal error in pipeline '" + name + "'")), PipelineListener.Outcome.FAILED);
            }
            if (!listeners.isEmpty()) {
                long took = started == 0 ? 0 : System.nanoTime() - started; // 0: no listener yet when it began
                var event = new PipelineListener.ExchangeEvent(name, id, r, result.response(), result.outcome(), took);
                for (PipelineListener l : listeners) {
                    notifyQuietly(() -> l.exchangeFinished(event));
                }
            }
            return result.response();
        });
    }

    /**
     * Tells the listeners of the running pipeline named {@link PipelineListener.DeliveryEvent#pipeline()}
     * about a delivery attempt; for queue stages, which deliver after the exchange has left the pipeline.
     */
    public static void deliveryAttempted(PipelineListener.DeliveryEvent event) {
        RUNNING.stream().filter(p -> p.name.equals(event.pipeline()))
                .forEach(p -> p.listeners.forEach(l -> p.notifyQuietly(() -> l.deliveryAttempted(event))));
    }

    private static String exchangeId(Request request) {
        return request.attribute(Attribute.EXCHANGE_ID).orElseThrow();
    }

    List<Exchange.Step> steps() {
        return steps;
    }

    /** The stage at {@code index} of {@link #steps()}. */
    Named<? extends Stage> named(int index) {
        return index < middleware.size() ? middleware.get(index) : backend;
    }

    PipelineListener.Role role(int index) {
        return index < middleware.size() ? PipelineListener.Role.MIDDLEWARE : PipelineListener.Role.BACKEND;
    }

    List<PipelineListener> listeners() {
        return listeners;
    }

    Logger log() {
        return log;
    }

    void notifyQuietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.warn("pipeline listener failed; ignoring it", e);
        }
    }

    private void quietly(Named<?> stage, Runnable stop) {
        try {
            stop.run();
        } catch (RuntimeException e) {
            log.warn("pipeline '{}': stage '{}' failed to stop cleanly", name, stage.name(), e);
        }
    }

    private static String describeStage(Named<?> s, String role) {
        return role + " '" + s.name() + "'";
    }

    private static String newExchangeId() {
        // 48 random bits as 12 hex digits; the set bit 48 keeps leading zeros (no String.format per exchange)
        return Long.toHexString((ThreadLocalRandom.current().nextLong() & 0xffff_ffff_ffffL) | (1L << 48)).substring(1);
    }

    /** A stage with its unique name in this pipeline. */
    record Named<S extends Stage>(String name, S stage) {
    }
}
