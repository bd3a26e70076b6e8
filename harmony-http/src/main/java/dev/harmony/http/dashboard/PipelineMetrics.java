package dev.harmony.http.dashboard;

import dev.harmony.pipeline.Diagram;
import dev.harmony.message.Request;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.pipeline.PipelineListener;
import dev.harmony.pipeline.Rejection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Figures for every pipeline it listens to: per pipeline and per stage, how many exchanges passed, were
 * rejected (by {@link Rejection.Kind}) or failed (counted since start), p50/p99 durations over about the
 * last minute, and throughput over the last ten seconds; and per queue destination the delivery attempts
 * (delivered, retried, dead) that the pipeline's queue stages report after the exchanges were answered. Memory is bounded (a ring of fixed log-bucket
 * histograms and a rate window per pipeline and stage, about 10 KB each) and recording takes no locks, so
 * it can stay attached in production.
 *
 * <pre>{@code
 * PipelineMetrics metrics = PipelineMetrics.create();
 * pipeline.addListener(metrics);
 * ...
 * PipelineFigures now = metrics.snapshot(pipeline);
 * }</pre>
 *
 * Figures are kept by pipeline name, so a pipeline restarted under the same name continues its figures.
 */
public final class PipelineMetrics implements PipelineListener {
    private final LongSupplier millis;
    private final Map<String, PipelineCounters> pipelines = new ConcurrentHashMap<>();

    PipelineMetrics(LongSupplier millis) {
        this.millis = Objects.requireNonNull(millis, "millis");
    }

    /** Metrics timed by the system clock. */
    public static PipelineMetrics create() {
        return new PipelineMetrics(System::currentTimeMillis);
    }

    @Override
    public void exchangeStarted(String pipeline, String exchangeId, Request request) {
        counters(pipeline).inFlight.increment();
    }

    @Override
    public void stageFinished(StageEvent event) {
        Counters stage = counters(event.pipeline()).stages
                .computeIfAbsent(event.stage(), s -> new StageCounters(event.role(), new Counters(millis))).counters();
        record(stage, event.outcome(), event.rejection(), event.selfNanos());
    }

    @Override
    public void exchangeFinished(ExchangeEvent event) {
        PipelineCounters p = counters(event.pipeline());
        p.inFlight.decrement();
        record(p.exchanges, event.outcome(), event.response().rejection().orElse(null), event.durationNanos());
    }

    @Override
    public void deliveryAttempted(DeliveryEvent event) {
        Map<String, DeliveryCounters> d = counters(event.pipeline()).deliveries;
        DeliveryCounters c = d.get(event.destination());
        if (c == null) {
            c = d.computeIfAbsent(event.destination(), n -> new DeliveryCounters(millis));
        }
        c.record(event.outcome(), event.durationNanos());
    }

    private static void record(Counters counters, Outcome outcome, Rejection rejection, long nanos) {
        switch (outcome) {
            case PASSED -> counters.passed(nanos);
            case REJECTED -> counters.rejected(rejection.kind(), nanos);
            case FAILED -> counters.failed(nanos);
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
            return new PipelineFigures(pipeline.name(), Figures.none(), 0, 0, stages, List.of());
        }
        Figures exchanges = p.exchanges.snapshot();
        List<DeliveryFigures> deliveries = new java.util.TreeMap<>(p.deliveries).entrySet().stream()
                .map(e -> e.getValue().snapshot(e.getKey())).toList();
        return new PipelineFigures(pipeline.name(), exchanges, Math.max(0, p.inFlight.sum()), exchanges.perSecond(),
                stages, deliveries);
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

    /** One stage's counters with the role it reported. */
    record StageCounters(Role role, Counters counters) {
    }

    static final class PipelineCounters {
        final Counters exchanges;
        final LongAdder inFlight = new LongAdder();
        final Map<String, StageCounters> stages = new ConcurrentHashMap<>();
        final Map<String, DeliveryCounters> deliveries = new ConcurrentHashMap<>();

        PipelineCounters(LongSupplier millis) {
            this.exchanges = new Counters(millis);
        }
    }
}
