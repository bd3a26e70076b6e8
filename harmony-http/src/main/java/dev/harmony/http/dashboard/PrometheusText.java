package dev.harmony.http.dashboard;

import dev.harmony.pipeline.Diagram;
import dev.harmony.http.dashboard.PipelineMetrics.PipelineCounters;
import dev.harmony.http.dashboard.PipelineMetrics.StageCounters;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.pipeline.PipelineListener.Delivery;
import dev.harmony.pipeline.PipelineListener.Role;
import dev.harmony.pipeline.Rejection;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code /metrics}: the counters of a {@link PipelineMetrics} in the Prometheus text exposition format
 * (version 0.0.4), with the names and labels the {@code harmony-micrometer} binding gives a Prometheus
 * registry, so the same queries work on either:
 *
 * <pre>
 * harmony_exchange_seconds_count/_sum{pipeline,outcome,rejection}          summary, whole exchanges
 * harmony_stage_seconds_count/_sum{pipeline,stage,role,outcome,rejection}  summary, a stage's own time
 * harmony_exchanges_in_flight{pipeline}                                    gauge
 * harmony_delivery_seconds_count/_sum{pipeline,destination,outcome}        summary, queue delivery attempts
 * </pre>
 *
 * {@code outcome} is {@code passed}, {@code rejected} or {@code failed}; {@code rejection} is the
 * rejection kind in lower case ({@code unauthenticated}, {@code too_many_requests}...) for rejected and
 * {@code none} otherwise. Counts run since the metrics were created, so a stopped pipeline keeps its
 * series. Passed and failed series are always there (at 0 until something happens), a rejected one from
 * the first rejection of its kind. Labels never carry exchange ids, paths or messages: the number of
 * series is bounded by the pipelines' stages times the outcomes. A delivery attempt's {@code outcome} is
 * {@code delivered}, {@code retry_scheduled} or {@code dead}; a destination's three series appear with its
 * first attempt.
 */
final class PrometheusText {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusText() {
    }

    static String render(List<Pipeline> running, PipelineMetrics metrics) {
        // running pipelines first in start order, then any seen earlier, by name
        Map<String, List<Stage>> pipelines = new LinkedHashMap<>();
        for (Pipeline p : running) {
            pipelines.putIfAbsent(p.name(), declaredStages(p.diagram()));
        }
        for (String name : new TreeSet<>(metrics.pipelineNames())) {
            pipelines.putIfAbsent(name, List.of());
        }

        StringBuilder out = new StringBuilder(4096);
        family(out, "harmony_exchange_seconds", "summary",
                "Exchanges through a pipeline, end to end, by outcome (seconds).");
        pipelines.keySet().forEach(name -> {
            PipelineCounters p = metrics.live(name);
            samples(out, "harmony_exchange_seconds", "pipeline=\"" + escape(name) + "\"",
                    p == null ? null : p.exchanges);
        });
        family(out, "harmony_stage_seconds", "summary",
                "Stage runs by outcome; the time is the stage's own, excluding the stages after it (seconds).");
        pipelines.forEach((name, declared) -> {
            PipelineCounters p = metrics.live(name);
            for (Stage s : withRecorded(declared, p)) {
                StageCounters c = p == null ? null : p.stages.get(s.name());
                samples(out, "harmony_stage_seconds", "pipeline=\"" + escape(name) + "\",stage=\"" + escape(s.name())
                        + "\",role=\"" + s.role().name().toLowerCase(Locale.ROOT) + "\"", c == null ? null : c.counters());
            }
        });
        family(out, "harmony_exchanges_in_flight", "gauge", "Exchanges started and not yet finished.");
        pipelines.keySet().forEach(name -> {
            PipelineCounters p = metrics.live(name);
            long inFlight = p == null ? 0 : Math.max(0, p.inFlight.sum());
            out.append("harmony_exchanges_in_flight{pipeline=\"").append(escape(name)).append("\"} ")
                    .append(inFlight).append('\n');
        });
        family(out, "harmony_delivery_seconds", "summary",
                "Delivery attempts of queued exchanges, by destination and outcome (seconds).");
        pipelines.keySet().forEach(name -> {
            PipelineCounters p = metrics.live(name);
            if (p == null) {
                return;
            }
            for (String destination : new TreeSet<>(p.deliveries.keySet())) {
                DeliveryCounters c = p.deliveries.get(destination);
                for (Delivery outcome : Delivery.values()) {
                    String labels = "{pipeline=\"" + escape(name) + "\",destination=\"" + escape(destination)
                            + "\",outcome=\"" + outcome.name().toLowerCase(Locale.ROOT) + "\"} ";
                    out.append("harmony_delivery_seconds_count").append(labels).append(c.count(outcome)).append('\n');
                    out.append("harmony_delivery_seconds_sum").append(labels).append(seconds(c.nanos(outcome)))
                            .append('\n');
                }
            }
        });
        return out.toString();
    }

    private record Stage(String name, Role role) {
    }

    private static List<Stage> declaredStages(Diagram d) {
        List<Stage> stages = new ArrayList<>();
        d.middleware().forEach(m -> stages.add(new Stage(m.id(), Role.MIDDLEWARE)));
        stages.add(new Stage(d.backend().id(), Role.BACKEND));
        return stages;
    }

    /** The declared stages in flow order, then any others that reported (a pipeline no longer running). */
    private static Set<Stage> withRecorded(List<Stage> declared, PipelineCounters p) {
        Set<Stage> all = new LinkedHashSet<>(declared);
        if (p != null) {
            Set<String> names = new LinkedHashSet<>();
            declared.forEach(s -> names.add(s.name()));
            new TreeSet<>(p.stages.keySet()).stream().filter(names::add)
                    .forEach(n -> all.add(new Stage(n, p.stages.get(n).role())));
        }
        return all;
    }

    private static void family(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    /** The _count and _sum of each outcome: passed and failed always, rejected kinds once seen. */
    private static void samples(StringBuilder out, String name, String labels, Counters c) {
        for (int slot = 0; slot < Counters.SLOTS; slot++) {
            long count = c == null ? 0 : c.count(slot);
            if (count == 0 && slot != Counters.PASSED && slot != Counters.FAILED) {
                continue;
            }
            Rejection.Kind kind = Counters.kindOf(slot);
            String outcome = slot == Counters.PASSED ? "passed" : slot == Counters.FAILED ? "failed" : "rejected";
            String all = labels + ",outcome=\"" + outcome + "\",rejection=\""
                    + (kind == null ? "none" : kind.name().toLowerCase(Locale.ROOT)) + "\"";
            out.append(name).append("_count{").append(all).append("} ").append(count).append('\n');
            out.append(name).append("_sum{").append(all).append("} ")
                    .append(seconds(c == null ? 0 : c.nanos(slot))).append('\n');
        }
    }

    /** Nanoseconds as exact decimal seconds ({@code 0.0123}), with no binary floating-point noise. */
    static String seconds(long nanos) {
        return nanos == 0 ? "0" : BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString();
    }

    /** A label value as the format wants it: backslash, double quote and line feed escaped. */
    static String escape(String value) {
        StringBuilder b = null;
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            String rep = ch == '\\' ? "\\\\" : ch == '"' ? "\\\"" : ch == '\n' ? "\\n" : null;
            if (rep != null && b == null) {
                b = new StringBuilder(value.length() + 8).append(value, 0, i);
            }
            if (b != null) {
                if (rep != null) {
                    b.append(rep);
                } else {
                    b.append(ch);
                }
            }
        }
        return b == null ? value : b.toString();
    }
}
