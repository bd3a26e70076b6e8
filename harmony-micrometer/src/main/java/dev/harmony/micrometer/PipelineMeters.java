package dev.harmony.micrometer;

import dev.harmony.pipeline.Diagram;
import dev.harmony.message.Request;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.pipeline.PipelineListener;
import dev.harmony.pipeline.Rejection;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Records what pipelines do as Micrometer meters in a registry of your choice:
 *
 * <pre>
 * harmony.exchange               timer  pipeline, outcome, rejection           whole exchanges, end to end
 * harmony.stage                  timer  pipeline, stage, role, outcome, rejection  a stage's own time
 * harmony.exchanges.in.flight    gauge  pipeline                               started, not yet finished
 * harmony.delivery               timer  pipeline, destination, outcome         queue delivery attempts
 * </pre>
 *
 * {@code outcome} is {@code passed}, {@code rejected} or {@code failed}; {@code rejection} is the
 * rejection kind in lower case ({@code unauthenticated}, {@code too_many_requests}...) when rejected,
 * else {@code none}; {@code role} is {@code middleware} or {@code backend}. For {@code harmony.delivery}
 * (attempts a queue stage makes after the exchange was answered, on its worker threads) {@code outcome}
 * is {@code delivered}, {@code retry_scheduled} or {@code dead}, and the time is the destination's. A timer's count is the number
 * of exchanges with those tags, so there is no separate counter. Tags never carry exchange ids, paths or
 * messages: the number of meters is bounded by the pipelines' stages times the outcomes. In a
 * Prometheus registry the names become {@code harmony_exchange_seconds_count/_sum/_max},
 * {@code harmony_stage_seconds_...}, {@code harmony_exchanges_in_flight} and
 * {@code harmony_delivery_seconds_...}, the same series the
 * dashboard's {@code /metrics} serves.
 *
 * <pre>{@code
 * PipelineMeters meters = PipelineMeters.on(registry);
 * meters.attach(pipeline);                           // or Pipeline.builder()...listener(meters)
 * }</pre>
 *
 * Recording looks meters up in its own lock-free cache, so it can stay attached in production.
 */
public final class PipelineMeters implements PipelineListener {
    private static final Rejection.Kind[] KINDS = Rejection.Kind.values();
    private static final int PASSED = 0;
    private static final int FAILED = 1;
    private static final int SLOTS = 2 + KINDS.length;

    private final MeterRegistry registry;
    private final Map<String, PipelineState> pipelines = new ConcurrentHashMap<>();

    private PipelineMeters(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** A listener recording into {@code registry}; attach it to as many pipelines as you like. */
    public static PipelineMeters on(MeterRegistry registry) {
        return new PipelineMeters(registry);
    }

    /**
     * Listens to {@code pipeline} from now on and registers its meters for passed and failed exchanges
     * of every stage at zero, so they exist before the first exchange (a rate over a counter that
     * appears at 1 misses that first one). Rejected meters appear with the first rejection of a kind.
     */
    public PipelineMeters attach(Pipeline pipeline) {
        PipelineState p = state(pipeline.name());
        p.exchange(PASSED);
        p.exchange(FAILED);
        Diagram d = pipeline.diagram();
        for (Diagram.Node m : d.middleware()) {
            p.stage(m.id(), Role.MIDDLEWARE).timer(PASSED);
            p.stage(m.id(), Role.MIDDLEWARE).timer(FAILED);
        }
        p.stage(d.backend().id(), Role.BACKEND).timer(PASSED);
        p.stage(d.backend().id(), Role.BACKEND).timer(FAILED);
        pipeline.addListener(this);
        return this;
    }

    @Override
    public void exchangeStarted(String pipeline, String exchangeId, Request request) {
        state(pipeline).inFlight.increment();
    }

    @Override
    public void stageFinished(StageEvent event) {
        state(event.pipeline()).stage(event.stage(), event.role()).timer(slot(event.outcome(), event.rejection()))
                .record(Math.max(0, event.selfNanos()), TimeUnit.NANOSECONDS);
    }

    @Override
    public void exchangeFinished(ExchangeEvent event) {
        PipelineState p = state(event.pipeline());
        p.inFlight.decrement();
        p.exchange(slot(event.outcome(), event.response().rejection().orElse(null)))
                .record(Math.max(0, event.durationNanos()), TimeUnit.NANOSECONDS);
    }

    @Override
    public void deliveryAttempted(DeliveryEvent event) {
        state(event.pipeline()).delivery(event.destination(), event.outcome())
                .record(Math.max(0, event.durationNanos()), TimeUnit.NANOSECONDS);
    }

    /** The outcome as the engine decided it; the rejection only says which kind for REJECTED. */
    private static int slot(Outcome outcome, Rejection rejection) {
        return switch (outcome) {
            case PASSED -> PASSED;
            case FAILED -> FAILED;
            case REJECTED -> rejected(rejection == null ? Rejection.Kind.INTERNAL : rejection.kind());
        };
    }

    private static int rejected(Rejection.Kind kind) {
        return 2 + kind.ordinal();
    }

    private static Tags outcomeTags(int slot) {
        return switch (slot) {
            case PASSED -> Tags.of("outcome", "passed", "rejection", "none");
            case FAILED -> Tags.of("outcome", "failed", "rejection", "none");
            default -> Tags.of("outcome", "rejected", "rejection", KINDS[slot - 2].name().toLowerCase(Locale.ROOT));
        };
    }

    private PipelineState state(String pipeline) {
        PipelineState p = pipelines.get(pipeline);
        return p != null ? p : pipelines.computeIfAbsent(pipeline, PipelineState::new);
    }

    /** One pipeline's meters, created on first use. */
    private final class PipelineState {
        final String name;
        final LongAdder inFlight = new LongAdder();
        final TimerSlots exchanges;
        final Map<String, TimerSlots> stages = new ConcurrentHashMap<>();
        final Map<String, Timer[]> deliveries = new ConcurrentHashMap<>();

        PipelineState(String name) {
            this.name = name;
            this.exchanges = new TimerSlots("harmony.exchange", "Exchanges through a pipeline, end to end, by outcome.",
                    Tags.of("pipeline", name));
            Gauge.builder("harmony.exchanges.in.flight", inFlight, a -> Math.max(0, a.sum()))
                    .description("Exchanges started and not yet finished.").tag("pipeline", name).register(registry);
        }

        Timer exchange(int slot) {
            return exchanges.timer(slot);
        }

        /** A destination's three timers, registered together with its first attempt. */
        Timer delivery(String destination, Delivery outcome) {
            Timer[] t = deliveries.get(destination);
            if (t == null) {
                t = deliveries.computeIfAbsent(destination, d -> java.util.Arrays.stream(Delivery.values())
                        .map(o -> Timer.builder("harmony.delivery")
                                .description("Delivery attempts of queued exchanges, by destination and outcome.")
                                .tags("pipeline", name, "destination", d, "outcome", o.name().toLowerCase(Locale.ROOT))
                                .register(registry))
                        .toArray(Timer[]::new));
            }
            return t[outcome.ordinal()];
        }

        TimerSlots stage(String stage, Role role) {
            TimerSlots s = stages.get(stage);
            if (s == null) {
                s = stages.computeIfAbsent(stage, n -> stageSlots(n, role));
            }
            // a pipeline rebuilt under the same name may have moved a stage; never mix roles in one meter
            return s.role == role ? s : stageSlots(stage, role);
        }

        private TimerSlots stageSlots(String stage, Role role) {
            return new TimerSlots("harmony.stage",
                    "Stage runs by outcome; the time is the stage's own, excluding the stages after it.",
                    Tags.of("pipeline", name, "stage", stage, "role", role.name().toLowerCase(Locale.ROOT)), role);
        }
    }

    /** The timers of one pipeline or stage, one per outcome, registered on first use. */
    private final class TimerSlots {
        final String meter;
        final String description;
        final Tags tags;
        final Role role;
        final AtomicReferenceArray<Timer> timers = new AtomicReferenceArray<>(SLOTS);

        TimerSlots(String meter, String description, Tags tags) {
            this(meter, description, tags, null);
        }

        TimerSlots(String meter, String description, Tags tags, Role role) {
            this.meter = meter;
            this.description = description;
            this.tags = tags;
            this.role = role;
        }

        Timer timer(int slot) {
            Timer t = timers.get(slot);
            if (t == null) {
                // registering twice is harmless: the registry hands back the meter it already has
                t = Timer.builder(meter).description(description).tags(tags).tags(outcomeTags(slot)).register(registry);
                timers.set(slot, t);
            }
            return t;
        }
    }
}
