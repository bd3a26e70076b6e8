package dev.harmony.http.dashboard;

import dev.harmony.pipeline.Diagram;
import dev.harmony.diagram.DiagramRenderer;
import dev.harmony.pipeline.Pipeline;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The one HTML page: per pipeline its diagram, a summary and a table of stages whose cells carry
 * {@code data-field} names. Figures start as dashes; the inline script fills them from the JSON endpoint,
 * so there is one formatting rule (in the script) and no external asset.
 */
final class DashboardPage {
    private static final String CSS = resource("dashboard.css");
    private static final String SCRIPT = resource("dashboard.js");
    private static final String DASH = "\u2013";

    private DashboardPage() {
    }

    static String render(List<Pipeline> pipelines) {
        return render(pipelines, List.of());
    }

    static String render(List<Pipeline> pipelines, List<QueueFigures> queues) {
        StringBuilder out = new StringBuilder(16_384);
        out.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>Harmony dashboard</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n")
                .append("<header><h1>Harmony</h1><span class=\"count\" id=\"pipeline-count\">")
                .append(pipelines.size()).append(pipelines.size() == 1 ? " pipeline" : " pipelines")
                .append(" running</span><span id=\"status\" data-polls=\"0\">connecting\u2026</span></header>\n<main>\n");
        if (pipelines.isEmpty()) {
            out.append("<p class=\"empty\">No pipeline is running in this JVM.</p>\n");
        }
        for (Pipeline p : pipelines) {
            section(out, p);
        }
        if (!queues.isEmpty()) {
            queues(out, queues);
        }
        out.append("</main>\n<script>\n").append(SCRIPT).append("</script>\n</body>\n</html>\n");
        return out.toString();
    }

    private static void section(StringBuilder out, Pipeline p) {
        Diagram d = p.diagram();
        out.append("<section class=\"pipeline\" data-pipeline=\"").append(escape(p.name())).append("\">\n")
                .append("<h2>").append(escape(p.name())).append("</h2>\n")
                .append("<div class=\"flow\">").append(escape(d.flow())).append("</div>\n")
                .append("<div class=\"summary\">");
        for (String[] figure : new String[][] {{"count", "exchanges"}, {"passed", "passed"}, {"rejected", "rejected"},
                {"failed", "failed"}, {"inFlight", "in flight"}, {"throughput", "throughput"}}) {
            out.append("<div><span class=\"v\" data-field=\"").append(figure[0]).append("\">").append(DASH)
                    .append("</span><span class=\"k\">").append(figure[1]).append("</span></div>");
        }
        out.append("</div>\n<div class=\"diagram\">\n").append(DiagramRenderer.svg().render(d))
                .append("</div>\n<table>\n<thead><tr><th>stage</th><th>role</th><th>exchanges</th><th>passed</th>"
                        + "<th>rejected</th><th class=\"kinds\">by kind</th><th>failed</th><th>p50</th><th>p99</th><th>rate</th></tr></thead>\n<tbody>\n");
        row(out, d.frontend(), "frontend (all exchanges)");
        for (Diagram.Node m : d.middleware()) {
            row(out, m, "middleware");
        }
        row(out, d.backend(), "backend");
        // rows appear (from the JSON) with a queue destination's first delivery attempt
        out.append("</tbody>\n</table>\n<table class=\"deliveries\" hidden>\n<thead><tr><th>delivery to</th>"
                + "<th>attempts</th><th>delivered</th><th>retried</th><th>dead</th><th>p50</th><th>p99</th></tr>"
                + "</thead>\n<tbody></tbody>\n</table>\n</section>\n");
    }

    /** Delivery queues: filled here and refreshed by the script from the same JSON fields. */
    private static void queues(StringBuilder out, List<QueueFigures> queues) {
        out.append("<section class=\"queues\">\n<h2>Delivery queues</h2>\n<table>\n<thead><tr><th>destination</th>"
                + "<th>store</th><th>depth</th><th>oldest pending</th><th>dead</th><th>delivered</th><th>attempts</th>"
                + "<th>failed attempts</th></tr></thead>\n<tbody>\n");
        for (QueueFigures f : queues) {
            out.append("<tr data-queue=\"").append(escape(f.destination())).append("\"><td>")
                    .append(escape(f.destination())).append("</td><td>").append(escape(f.store())).append("</td>");
            cell(out, "depth", Long.toString(f.depth()));
            cell(out, "oldestPendingSeconds", String.format(java.util.Locale.ROOT, "%.0f s", f.oldestPendingSeconds()));
            cell(out, "dead", Long.toString(f.dead()));
            cell(out, "delivered", Long.toString(f.delivered()));
            cell(out, "attempts", Long.toString(f.attempts()));
            cell(out, "failedAttempts", Long.toString(f.failedAttempts()));
            out.append("</tr>\n");
        }
        out.append("</tbody>\n</table>\n</section>\n");
    }

    private static void cell(StringBuilder out, String field, String text) {
        out.append("<td data-field=\"").append(field).append("\">").append(escape(text)).append("</td>");
    }

    private static void row(StringBuilder out, Diagram.Node stage, String role) {
        out.append("<tr data-stage=\"").append(escape(stage.id())).append("\"><td title=\"")
                .append(escape(stage.text())).append("\">").append(escape(stage.id())).append("</td><td>").append(role)
                .append("</td>");
        for (String field : new String[] {"count", "passed", "rejected", "rejected-by-kind", "failed", "p50", "p99", "rate"}) {
            out.append("<td data-field=\"").append(field).append('"')
                    .append(field.equals("rejected-by-kind") ? " class=\"kinds\"" : "").append('>')
                    .append(DASH).append("</td>");
        }
        out.append("</tr>\n");
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }

    private static String resource(String name) {
        try (InputStream in = DashboardPage.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("dashboard resource " + name + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
