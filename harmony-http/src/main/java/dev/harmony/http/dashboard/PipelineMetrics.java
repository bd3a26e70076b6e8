package dev.harmony.http.dashboard;

import dev.harmony.diagram.Diagram;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.pipeline.PipelineListener;
import dev.harmony.pipeline.Rejection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Figures for every pipeline it listens to: per pipeline and per stage, how many exchanges passed, were
 * rejected (by {@link Rejection.Kind}) or failed (counted since start), p50/p99 durations over about the
 * last minute, and throughput over the last ten seconds. Memory is bounded (a ring of fixed log-bucket
 * histograms and a rate window per pipeline and stage, about 10 KB each) and recording takes no locks, so
 * it can stay attached in production.
 *
 * <pre>{@code
 * PipelineMetrics metrics = PipelineMetrics.create();
 * metrics.attach(pipeline);
 * ...
 * PipelineFigures now = metrics.snapshot(pipeline);
 * }</pre>
 *
 * Figures are kept by pipeline name, so a pipeline restarted under the same name continues its figures.
 * Attach with {@link #attach} rather than {@code pipeline.addListener}: it counts each pipeline once
 * however often it is attached (say by your code and by a {@link Dashboard} showing the same metrics).
 */
public final class PipelineMetrics implements PipelineListener {
    private final LongSupplier millis;
    private final Map<String, PipelineCounters> pipelines = new ConcurrentHashMap<>();
    /** The id of an exchange in which a stage failed on this thread; read when that exchange finishes. */
    private final ThreadLocal<String> failedExchange = new ThreadLocal<>();
    /** How often {@link #attach} attached each pipeline; weak, so a pipeline dropped without detach can go. */
    private final Map<Pipeline, Integer> attached = new WeakHashMap<>();

    PipelineMetrics(LongSupplier millis) {
        this.millis = Objects.requireNonNull(millis, "millis");
    }

    /** Metrics timed by the system clock. */
    public static PipelineMetrics create() {
        return new PipelineMetrics(System::currentTimeMillis);
    }

    /**
     * Counts {@code pipeline}'s exchanges from now on. Attaching again (say by your code and by a
     * {@link Dashboard} showing the same metrics) counts nothing twice: each attach needs its own
     * {@link #detach} before counting stops. Returns whether it started listening now.
     */
    public boolean attach(Pipeline pipeline) {
        synchronized (attached) {
            int before = attached.merge(pipeline, 1, Integer::sum) - 1;
            if (before == 0) {
                pipeline.addListener(this);
            }
            return before == 0;
        }
    }

    /** Undoes one {@link #attach}; after the last one it stops listening. The figures stay. */
    public void detach(Pipeline pipeline) {
        synchronized (attached) {
            Integer n = attached.get(pipeline);
            if (n == null) {
                return; // not attached by attach: leave a plain addListener alone
            }
            if (n > 1) {
                attached.put(pipeline, n - 1);
            } else {
                attached.remove(pipeline);
                pipeline.removeListener(this);
            }
        }
    }

    @Override
    public void exchangeStarted(String pipeline, String exchangeId, Request request) {
        counters(pipeline).inFlight.increment();
    }

    @Override
    public void stageFinished(StageEvent event) {
        Counters stage = counters(event.pipeline()).stages
                .computeIfAbsent(event.stage(), s -> new StageCounters(event.role(), new Counters(millis))).counters();
        switch (event.outcome()) {
            case PASSED -> stage.passed(event.selfNanos());
            case REJECTED -> stage.rejected(event.rejection().kind(), event.selfNanos());
            case FAILED -> {
                stage.failed(event.selfNanos());
                failedExchange.set(event.exchangeId());
            }
        }
    }

    @Override
    public void exchangeFinished(String pipeline, String exchangeId, Response response, long durationNanos) {
        PipelineCounters p = counters(pipeline);
        p.inFlight.decrement();
        Optional<Rejection> rejection = response.rejection();
        boolean failedHere = exchangeId.equals(failedExchange.get());
        if (failedHere) {
            failedExchange.remove();
        }
        if (rejection.isEmpty()) {
            p.exchanges.passed(durationNanos);
        } else if (failedHere || isFailure(rejection.get(), exchangeId)) {
            p.exchanges.failed(durationNanos);
        } else {
            p.exchanges.rejected(rejection.get().kind(), durationNanos);
        }
    }

    /**
     * The pipeline's figures now, with its middleware and backend in flow order (stages that saw nothing
     * yet have zero figures).
     */
    public PipelineFigures snapshot(Pipeline pipeline) {
        Diagram d = pipeline.diagram();
        PipelineCounters p = pipelines.get(pipeline.name());
        List<StageFigures> stages = new ArrayList<>();
        for (Diagram.Node m : d.middleware()) {
            stages.add(new StageFigures(m.id(), Role.MIDDLEWARE, stageSnapshot(p, m.id())));
        }
        stages.add(new StageFigures(d.backend().id(), Role.BACKEND, stageSnapshot(p, d.backend().id())));
        if (p == null) {
            return new PipelineFigures(pipeline.name(), Figures.none(), 0, 0, stages);
        }
        Figures exchanges = p.exchanges.snapshot();
        return new PipelineFigures(pipeline.name(), exchanges, Math.max(0, p.inFlight.sum()), exchanges.perSecond(),
                stages);
    }

    private static Figures stageSnapshot(PipelineCounters p, String stage) {
        StageCounters c = p == null ? null : p.stages.get(stage);
        return c == null ? Figures.none() : c.counters().snapshot();
    }

    /** The names of every pipeline seen so far, running or not (for {@code /metrics}). */
    Set<String> pipelineNames() {
        return Set.copyOf(pipelines.keySet());
    }

    /** The live counters of pipeline {@code name}, or null if it was never seen. */
    PipelineCounters live(String name) {
        return pipelines.get(name);
    }

    private PipelineCounters counters(String pipeline) {
        PipelineCounters c = pipelines.get(pipeline);
        return c != null ? c : pipelines.computeIfAbsent(pipeline, n -> new PipelineCounters(millis));
    }

    /** How the core reports a stage that threw: an internal error whose reason is the exchange id. */
    private static boolean isFailure(Rejection r, String exchangeId) {
        return r.kind() == Rejection.Kind.INTERNAL && r.reason().filter(exchangeId::equals).isPresent();
    }

    /** One stage's counters with the role it reported. */
    record StageCounters(Role role, Counters counters) {
    }

    static final class PipelineCounters {
        final Counters exchanges;
        final LongAdder inFlight = new LongAdder();
        final Map<String, StageCounters> stages = new ConcurrentHashMap<>();

        PipelineCounters(LongSupplier millis) {
            this.exchanges = new Counters(millis);
        }
    }
}
