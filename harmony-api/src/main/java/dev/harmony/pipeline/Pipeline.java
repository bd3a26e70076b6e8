package dev.harmony.pipeline;

import dev.harmony.diagram.Diagram;
import dev.harmony.message.Attribute;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
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
 *         .use(AeTitleCheck.allow("CT1"))
 *         .backend(DicomFileStore.under(Path.of("data")))
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
    private final List<Named<Middleware>> middleware;
    private final Named<Backend> backend;
    private final List<Diagram.Node> sources;
    private final List<Diagram.Node> targets;
    private final List<PipelineListener> listeners;
    private final Logger log;
    private State state = State.NEW;

    Pipeline(String name, Named<Frontend> frontend, List<Named<Middleware>> middleware, Named<Backend> backend,
            List<Diagram.Node> sources, List<Diagram.Node> targets, List<PipelineListener> listeners) {
        this.name = name;
        this.frontend = frontend;
        this.middleware = List.copyOf(middleware);
        this.backend = backend;
        this.sources = List.copyOf(sources);
        this.targets = List.copyOf(targets);
        this.listeners = new CopyOnWriteArrayList<>(listeners);
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

    /** Attaches an observer; it sees every exchange from now on. */
    public void addListener(PipelineListener listener) {
        listeners.add(listener);
    }

    public void removeListener(PipelineListener listener) {
        listeners.remove(listener);
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
            for (Named<Middleware> m : middleware.subList(middleware.size() - startedMiddleware, middleware.size())) {
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
        for (Named<Middleware> m : middleware) {
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
     * Runs one exchange through middleware and backend on the calling thread. Frontends call this; so
     * can tests. Never throws: failures come back as a response carrying a {@link Rejection}.
     */
    @Override
    public Response handle(Request request) {
        Request r = begin(request);
        long started = listeners.isEmpty() ? 0 : System.nanoTime();
        Response response = new Exchange(this, exchangeId(r), null).run(r);
        return end(r, response, started);
    }

    /**
     * Runs one exchange without blocking the calling thread: non-blocking stages ({@link AsyncMiddleware},
     * {@link AsyncBackend}) run here, the first stage that may block and everything after it on
     * {@code blocking}. Never completes exceptionally.
     */
    @Override
    public CompletionStage<Response> handleAsync(Request request, Executor blocking) {
        Objects.requireNonNull(blocking, "blocking executor");
        Request r = begin(request);
        long started = listeners.isEmpty() ? 0 : System.nanoTime();
        return new Exchange(this, exchangeId(r), blocking).runAsync(r).handle((response, failure) -> {
            if (failure != null) { // only a listener or a bug in the pipeline itself can get here
                ErrorLog.error(log, failure, "pipeline '{}': exchange failed", name);
                return end(r, Response.rejected(Rejection.internal("internal error in pipeline '" + name + "'")),
                        started);
            }
            return end(r, response, started);
        });
    }

    /** Gives the request an exchange id if it has none and tells the listeners it started. */
    private Request begin(Request request) {
        if (request.attribute(Attribute.EXCHANGE_ID).isEmpty()) {
            request = request.with(Attribute.EXCHANGE_ID, newExchangeId());
        }
        Request r = request;
        for (PipelineListener l : listeners) {
            notifyQuietly(() -> l.exchangeStarted(name, exchangeId(r), r));
        }
        return r;
    }

    private Response end(Request request, Response response, long started) {
        if (listeners.isEmpty()) {
            return response;
        }
        long took = started == 0 ? 0 : System.nanoTime() - started; // 0: no listener yet when it began
        for (PipelineListener l : listeners) {
            notifyQuietly(() -> l.exchangeFinished(name, exchangeId(request), response, took));
        }
        return response;
    }

    private static String exchangeId(Request request) {
        return request.attribute(Attribute.EXCHANGE_ID).orElseThrow();
    }

    List<Named<Middleware>> middleware() {
        return middleware;
    }

    Named<Backend> backend() {
        return backend;
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
