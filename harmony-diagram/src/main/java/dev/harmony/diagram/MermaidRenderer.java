package dev.harmony.diagram;

import dev.harmony.pipeline.Diagram;
import dev.harmony.pipeline.Diagram.Node;
import java.util.List;

/** A Mermaid flowchart with one subgraph per column group; ids are prefixed so diagrams can share a page. */
final class MermaidRenderer {
    private MermaidRenderer() {
    }

    static String render(Diagram d) {
        String p = d.pipeline().replaceAll("[^A-Za-z0-9]", "_");
        StringBuilder out = new StringBuilder("flowchart LR\n");
        List<String> sourceIds = d.sources().stream().map(n -> p + "_" + sanitize(n.id())).toList();
        List<String> targetIds = d.targets().stream().map(n -> p + "_" + sanitize(n.id())).toList();
        if (!d.sources().isEmpty()) {
            subgraph(out, p + "_sources", "Sources", d.sources(), sourceIds);
        }
        List<Node> stages = d.stages();
        List<String> stageIds = new java.util.ArrayList<>();
        for (int i = 0; i < stages.size(); i++) {
            stageIds.add(p + "_s" + i);
        }
        subgraph(out, p + "_harmony", "Harmony: " + d.pipeline(), stages, stageIds);
        if (!d.targets().isEmpty()) {
            subgraph(out, p + "_targets", "Targets", d.targets(), targetIds);
        }
        for (String s : sourceIds) {
            out.append("  ").append(s).append(" --> ").append(stageIds.get(0)).append('\n');
        }
        for (int i = 1; i < stageIds.size(); i++) {
            out.append("  ").append(stageIds.get(i - 1)).append(" --> ").append(stageIds.get(i)).append('\n');
        }
        for (String t : targetIds) {
            out.append("  ").append(stageIds.get(stageIds.size() - 1)).append(" --> ").append(t).append('\n');
        }
        return out.toString();
    }

    private static void subgraph(StringBuilder out, String id, String title, List<Node> nodes, List<String> ids) {
        out.append("  subgraph ").append(id).append("[\"").append(escape(title)).append("\"]\n");
        out.append("    direction LR\n");
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            String text = n.detail().isEmpty() ? escape(n.label()) : escape(n.label()) + "<br/>" + escape(n.detail());
            out.append("    ").append(ids.get(i)).append("[\"").append(text).append("\"]\n");
        }
        out.append("  end\n");
    }

    private static String sanitize(String s) {
        return s.replaceAll("[^A-Za-z0-9]", "_");
    }

    private static String escape(String s) {
        return s.replace("&", "#amp;").replace("\"", "#quot;").replace("<", "#lt;").replace(">", "#gt;");
    }
}
