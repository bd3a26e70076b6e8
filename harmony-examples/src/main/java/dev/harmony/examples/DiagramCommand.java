package dev.harmony.examples;

import dev.harmony.diagram.DiagramRenderer;
import dev.harmony.pipeline.Pipeline;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code diagram [--format text|mermaid|svg] [--out DIR] [--pipeline NAME]}: draws every example pipeline,
 * to stdout or as one file per pipeline ({@code <name>.txt|.mmd|.svg}) in DIR.
 */
final class DiagramCommand implements Command {

    /** The three drawings and the file extension each is written with. */
    enum Format {
        TEXT("txt", DiagramRenderer.text()),
        MERMAID("mmd", DiagramRenderer.mermaid()),
        SVG("svg", DiagramRenderer.svg());

        final String extension;
        final DiagramRenderer renderer;

        Format(String extension, DiagramRenderer renderer) {
            this.extension = extension;
            this.renderer = renderer;
        }

        static Format parse(String value) {
            for (Format f : values()) {
                if (f.name().equalsIgnoreCase(value)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("option --format must be text, mermaid or svg, got '" + value + "'");
        }

        String fileName(Pipeline p) {
            return p.name() + "." + extension;
        }
    }

    @Override
    public String name() {
        return "diagram";
    }

    @Override
    public String summary() {
        return "draw every example pipeline (text, Mermaid or SVG), to stdout or files";
    }

    @Override
    public String usage() {
        return """
                usage: diagram [--format text|mermaid|svg] [--out DIR] [--pipeline NAME]
                  --format    text (default), mermaid or svg
                  --out       write one file per pipeline into DIR (<name>.txt, .mmd or .svg)
                              instead of printing; DIR is created if missing
                  --pipeline  only this example pipeline
                """;
    }

    @Override
    public Set<String> valuedOptions() {
        return Set.of("format", "out", "pipeline");
    }

    @Override
    public Run prepare(Args args) {
        Format format = Format.parse(args.get("format", "text").toLowerCase(Locale.ROOT));
        List<Pipeline> pipelines = selected(args.get("pipeline").orElse(null)); // built, never started
        Path dir = args.writableDirectory("out").orElse(null);
        return out -> run(format, pipelines, dir, out);
    }

    private static int run(Format format, List<Pipeline> pipelines, Path dir, PrintStream out) throws IOException {
        if (dir != null) {
            for (Path written : write(pipelines, format, dir)) {
                out.println("wrote " + written);
            }
            return 0;
        }
        StringBuilder all = new StringBuilder();
        for (Pipeline p : pipelines) {
            if (all.length() > 0) {
                all.append('\n');
            }
            all.append(format.renderer.render(p.diagram()));
        }
        out.print(all);
        return 0;
    }

    /** Writes each pipeline's drawing into {@code dir}; each file appears whole or not at all. */
    static List<Path> write(List<Pipeline> pipelines, Format format, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        for (Pipeline p : pipelines) {
            Path target = dir.resolve(format.fileName(p));
            Path temp = Files.createTempFile(dir, "." + p.name(), ".tmp");
            try {
                Files.writeString(temp, format.renderer.render(p.diagram()), StandardCharsets.UTF_8);
                try {
                    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
            written.add(target);
        }
        return written;
    }

    /** Every example pipeline (built, never started), or just the one named. */
    static List<Pipeline> selected(String name) {
        List<Pipeline> all = new ArrayList<>();
        for (Supplier<Pipeline> example : ExamplePipelines.all()) {
            all.add(example.get());
        }
        if (name == null) {
            return all;
        }
        List<Pipeline> one = all.stream().filter(p -> p.name().equals(name)).toList();
        if (one.isEmpty()) {
            throw new IllegalArgumentException("no example pipeline named '" + name + "'; known: "
                    + all.stream().map(Pipeline::name).toList());
        }
        return one;
    }
}
