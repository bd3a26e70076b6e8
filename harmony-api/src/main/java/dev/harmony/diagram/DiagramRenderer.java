package dev.harmony.diagram;

/** Turns a {@link Diagram} into a document. Output is deterministic, so it can be kept as a golden file. */
@FunctionalInterface
public interface DiagramRenderer {

    String render(Diagram diagram);

    /** A plain-text, top-to-bottom drawing for terminals and logs. */
    static DiagramRenderer text() {
        return TextRenderer::render;
    }

    /** A Mermaid {@code flowchart LR} that GitHub and most Markdown viewers draw. */
    static DiagramRenderer mermaid() {
        return MermaidRenderer::render;
    }
}
