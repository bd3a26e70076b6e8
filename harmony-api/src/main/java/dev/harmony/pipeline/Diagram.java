package dev.harmony.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A pipeline as a picture model, in five columns: Sources | Frontend, Middleware..., Backend | Targets.
 * Renderers turn it into text, Mermaid or SVG.
 *
 * @param pipeline the pipeline's name
 * @param sources systems sending in (may be empty)
 * @param frontend the frontend stage
 * @param middleware middleware stages in flow order
 * @param backend the backend stage
 * @param targets systems receiving (may be empty)
 */
public record Diagram(String pipeline, List<Node> sources, Node frontend, List<Node> middleware, Node backend,
        List<Node> targets) {

    public Diagram {
        Objects.requireNonNull(pipeline, "pipeline");
        sources = List.copyOf(sources);
        Objects.requireNonNull(frontend, "frontend");
        middleware = List.copyOf(middleware);
        Objects.requireNonNull(backend, "backend");
        targets = List.copyOf(targets);
    }

    /**
     * One box.
     *
     * @param id the stage's name in the pipeline (unique within it), or a generated id for sources/targets
     * @param label what it is, e.g. "Auth Guard"
     * @param detail how it is set up, e.g. "OAuth2 / JWT"; may be empty
     */
    public record Node(String id, String label, String detail) {
        public Node {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(label, "label");
            detail = detail == null ? "" : detail;
        }

        /** "label (detail)" or just the label. */
        public String text() {
            return detail.isEmpty() ? label : label + " (" + detail + ")";
        }
    }

    /** Frontend, middleware and backend in flow order. */
    public List<Node> stages() {
        List<Node> all = new ArrayList<>();
        all.add(frontend);
        all.addAll(middleware);
        all.add(backend);
        return all;
    }

    /** One line: {@code Modality -> DICOM Listener -> AE Title Check -> File Adapter -> PACS Archive}. */
    public String flow() {
        List<String> parts = new ArrayList<>();
        if (!sources.isEmpty()) {
            parts.add(String.join(", ", sources.stream().map(Node::label).toList()));
        }
        stages().forEach(n -> parts.add(n.label()));
        if (!targets.isEmpty()) {
            parts.add(String.join(", ", targets.stream().map(Node::label).toList()));
        }
        return String.join(" -> ", parts);
    }
}
