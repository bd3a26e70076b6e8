package dev.harmony.diagram;

import dev.harmony.pipeline.Diagram;
import dev.harmony.pipeline.Diagram.Node;
import java.util.List;

/** A top-to-bottom text drawing; column headings match the five diagram columns. */
final class TextRenderer {
    private static final String ARROW = "       |\n       v\n";

    private TextRenderer() {
    }

    static String render(Diagram d) {
        StringBuilder out = new StringBuilder();
        out.append("Pipeline ").append(d.pipeline()).append('\n');
        boolean first = true;
        if (!d.sources().isEmpty()) {
            column(out, "Sources", d.sources());
            first = false;
        }
        for (int i = 0; i < d.stages().size(); i++) {
            String heading = i == 0 ? "Frontend" : i == d.stages().size() - 1 ? "Backend" : "Middleware";
            if (!first) {
                out.append(ARROW);
            }
            column(out, heading, List.of(d.stages().get(i)));
            first = false;
        }
        if (!d.targets().isEmpty()) {
            out.append(ARROW);
            column(out, "Targets", d.targets());
        }
        return out.toString();
    }

    private static void column(StringBuilder out, String heading, List<Node> nodes) {
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            String head = i == 0 ? heading : "";
            out.append("  ").append(head).append(" ".repeat(12 - head.length())).append(n.label());
            if (!n.detail().isEmpty()) {
                out.append(" [").append(n.detail()).append(']');
            }
            out.append('\n');
        }
    }
}
