package dev.harmony.examples;

import dev.harmony.diagram.DiagramRenderer;
import dev.harmony.pipeline.Pipeline;
import java.util.Set;
import java.util.function.Supplier;

/** {@code diagram [--format text|mermaid]}: prints every example pipeline. */
final class DiagramCommand implements Command {

    @Override
    public String name() {
        return "diagram";
    }

    @Override
    public String summary() {
        return "print every example pipeline as a diagram (text or Mermaid)";
    }

    @Override
    public String usage() {
        return """
                usage: diagram [--format text|mermaid]
                  --format   text (default) or mermaid
                """;
    }

    @Override
    public Set<String> valuedOptions() {
        return Set.of("format");
    }

    @Override
    public int run(Args args) {
        DiagramRenderer renderer = switch (args.get("format", "text")) {
            case "text" -> DiagramRenderer.text();
            case "mermaid" -> DiagramRenderer.mermaid();
            default -> throw new IllegalArgumentException("--format must be text or mermaid");
        };
        StringBuilder out = new StringBuilder();
        for (Supplier<Pipeline> example : ExamplePipelines.all()) {
            if (out.length() > 0) {
                out.append('\n');
            }
            out.append(renderer.render(example.get().diagram()));
        }
        System.out.print(out);
        return 0;
    }
}
