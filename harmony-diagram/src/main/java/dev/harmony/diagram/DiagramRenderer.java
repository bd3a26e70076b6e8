package dev.harmony.diagram;

import dev.harmony.pipeline.Diagram;

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

    /**
     * A self-contained SVG (no scripts, fonts or external references) in five columns: Sources | Harmony
     * frontend, middleware, backend | Targets. Each stage box is a {@code <g data-stage="stage name">},
     * so live views can attach figures to it. About 940 px wide, for READMEs and dashboards.
     */
    static DiagramRenderer svg() {
        return SvgRenderer::render;
    }
}
