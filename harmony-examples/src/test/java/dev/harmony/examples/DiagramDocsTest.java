package dev.harmony.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.pipeline.Pipeline;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps {@code docs/diagrams/*.svg} (shown in the README) equal to what {@code diagram --format svg} draws
 * for the registered examples. After changing an example or the renderer, regenerate them with
 * {@code mvn -pl harmony-examples test -Dtest=DiagramDocsTest -Dharmony.updateDiagrams=true}.
 */
class DiagramDocsTest {
    private static final Path DOCS = Path.of("..", "docs", "diagrams");
    private static final Path README = Path.of("..", "README.md");
    private static final String HOW_TO_UPDATE =
            "regenerate with: mvn -B -o -pl harmony-examples test -Dtest=DiagramDocsTest -Dharmony.updateDiagrams=true";

    @TempDir
    Path generated;

    @Test
    void docsDiagramsAreExactlyWhatTheDiagramCommandDraws() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(List.of("diagram", "--format", "svg", "--out", generated.toString()),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as("diagram command failed: %s", err.toString(StandardCharsets.UTF_8)).isZero();

        Set<String> expected = svgNames(generated);
        assertThat(expected).as("one SVG per registered example")
                .isEqualTo(names(DiagramCommand.selected(null), ".svg"));
        if (Boolean.getBoolean("harmony.updateDiagrams")) {
            update(generated, expected);
        }
        Set<String> committed = Files.isDirectory(DOCS) ? svgNames(DOCS) : Set.of();
        assertThat(committed).as("docs/diagrams holds one SVG per example and nothing stale; " + HOW_TO_UPDATE)
                .isEqualTo(expected);
        for (String name : expected) {
            assertThat(Files.readString(DOCS.resolve(name), StandardCharsets.UTF_8))
                    .as("docs/diagrams/%s is out of date; %s", name, HOW_TO_UPDATE)
                    .isEqualTo(Files.readString(generated.resolve(name), StandardCharsets.UTF_8));
        }
    }

    @Test
    void everyDrawingIsWellFormedXmlAndTheReadmeShowsTheSeeds() throws Exception {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        for (Pipeline p : DiagramCommand.selected(null)) {
            String svg = DiagramCommand.Format.SVG.renderer.render(p.diagram());
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            assertThat(f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)))
                    .getDocumentElement().getAttribute("data-pipeline")).isEqualTo(p.name());
            String checkout = Path.of("..").toAbsolutePath().normalize().toString();
            assertThat(svg).as("the drawing of %s must not depend on where the build runs: a stage's describe() "
                    + "should show a path as configured, not made absolute", p.name()).doesNotContain(checkout);
        }
        // the README shows the three seed pipelines, and every drawing it embeds is a generated one
        assertThat(readme).contains("](docs/diagrams/dicom-scp.svg)", "](docs/diagrams/fhir-proxy.svg)",
                "](docs/diagrams/jolt-fhir.svg)");
        Set<String> examples = names(DiagramCommand.selected(null), ".svg");
        Matcher embedded = Pattern.compile("\\]\\(docs/diagrams/([^)]+\\.svg)\\)").matcher(readme);
        while (embedded.find()) {
            assertThat(examples).as("README embeds docs/diagrams/%s, which no registered example draws",
                    embedded.group(1)).contains(embedded.group(1));
        }
    }

    @Test
    void textAndMermaidGoToStdoutAndBadFormatsAreRefused() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThat(Main.run(List.of("diagram", "--format", "png"), quiet, errStream)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--format must be text, mermaid or svg");
        assertThat(Main.run(List.of("diagram", "--pipeline", "no-such-example"), quiet, errStream)).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no example pipeline named 'no-such-example'");
    }

    @Test
    void writesEveryFormatAsOneFilePerPipeline(@TempDir Path dir) throws IOException {
        List<Pipeline> examples = DiagramCommand.selected(null);
        for (DiagramCommand.Format format : DiagramCommand.Format.values()) {
            List<Path> written = DiagramCommand.write(examples, format, dir.resolve(format.extension));
            assertThat(written).hasSize(examples.size());
            for (int i = 0; i < examples.size(); i++) {
                assertThat(written.get(i).getFileName().toString()).isEqualTo(examples.get(i).name() + "." + format.extension);
                assertThat(Files.readString(written.get(i), StandardCharsets.UTF_8))
                        .isEqualTo(format.renderer.render(examples.get(i).diagram()));
            }
            try (Stream<Path> files = Files.list(dir.resolve(format.extension))) {
                assertThat(files.map(p -> p.getFileName().toString())).as("no temporary file left behind")
                        .allMatch(n -> n.endsWith("." + format.extension));
            }
        }
    }

    /** Makes docs/diagrams equal to {@code from}: copies every drawing, deletes stale ones. */
    private static void update(Path from, Set<String> expected) throws IOException {
        Files.createDirectories(DOCS);
        for (String stale : svgNames(DOCS)) {
            if (!expected.contains(stale)) {
                Files.delete(DOCS.resolve(stale));
            }
        }
        for (String name : expected) {
            Files.copy(from.resolve(name), DOCS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static Set<String> svgNames(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".svg"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static Set<String> names(List<Pipeline> pipelines, String suffix) {
        Set<String> out = new TreeSet<>();
        pipelines.forEach(p -> out.add(p.name() + suffix));
        return out;
    }
}
