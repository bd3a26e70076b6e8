package dev.harmony.examples.all;

import dev.harmony.http.dashboard.Figures;
import dev.harmony.http.dashboard.PipelineFigures;
import dev.harmony.http.dashboard.PipelineMetrics;
import dev.harmony.http.dashboard.StageFigures;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.pipeline.Rejection;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Prints what the demo did, step by step, and what each stage saw according to the observation hooks. */
public final class DemoReport {
    private DemoReport() {
    }

    /** Prints the report and returns true if every step behaved as expected. */
    public static boolean print(List<DemoStep> steps, List<Pipeline> pipelines, PipelineMetrics metrics, PrintStream out) {
        out.println();
        out.println("REPORT");
        out.println("steps:");
        for (DemoStep s : steps) {
            out.printf(Locale.ROOT, "  [%s] %-10s %s%n", s.ok() ? "ok" : "FAIL", s.pipeline(), s.action());
            out.printf(Locale.ROOT, "         expected: %s%n         observed: %s%n", s.expected(), s.observed());
        }
        out.println("stages (from the observation hooks):");
        for (Pipeline p : pipelines) {
            PipelineFigures f = metrics.snapshot(p);
            out.printf(Locale.ROOT, "  %s: %s%n", p.name(), line(f.exchanges()));
            for (StageFigures stage : f.stages()) {
                out.printf(Locale.ROOT, "    %-20s %s%n", stage.stage(), line(stage.figures()));
            }
        }
        long failed = steps.stream().filter(s -> !s.ok()).count();
        out.println(failed == 0 ? "RESULT: all " + steps.size() + " steps behaved as expected"
                : "RESULT: " + failed + " of " + steps.size() + " steps did not behave as expected");
        out.flush();
        return failed == 0;
    }

    static String line(Figures f) {
        String rejected = f.rejected().isEmpty() ? "0" : f.rejected().entrySet().stream()
                .map(DemoReport::kind).collect(Collectors.joining(", "));
        return String.format(Locale.ROOT, "%d exchanges, %d passed, rejected %s, %d failed, p50 %.2f ms, p99 %.2f ms",
                f.count(), f.passed(), rejected, f.failed(), f.p50Millis(), f.p99Millis());
    }

    private static String kind(Map.Entry<Rejection.Kind, Long> e) {
        return e.getValue() + " " + e.getKey().name().toLowerCase(Locale.ROOT);
    }
}
