package dev.harmony.diagram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.harmony.pipeline.Pipeline;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden files for the three seed pipelines in every format. Run with {@code -Dharmony.updateDiagrams=true}
 * to rewrite them after an intended change, then look at the SVGs before committing.
 */
class SvgSeedGoldenTest {
    private static final Path GOLDEN = Path.of("src/test/resources/diagrams/svg");

    static Stream<Arguments> seedsAndFormats() {
        List<Arguments> all = new ArrayList<>();
        for (Pipeline p : SvgSeedPipelines.all()) {
            all.add(Arguments.of(p.name(), "svg", DiagramRenderer.svg(), p));
            all.add(Arguments.of(p.name(), "txt", DiagramRenderer.text(), p));
            all.add(Arguments.of(p.name(), "mmd", DiagramRenderer.mermaid(), p));
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}.{1}")
    @MethodSource("seedsAndFormats")
    void matchesGoldenFile(String name, String extension, DiagramRenderer renderer, Pipeline pipeline)
            throws IOException {
        String rendered = renderer.render(pipeline.diagram());
        assertThat(renderer.render(pipeline.diagram())).as("rendering twice gives the same bytes").isEqualTo(rendered);
        Path golden = GOLDEN.resolve(name + "." + extension);
        if (Boolean.getBoolean("harmony.updateDiagrams")) {
            Files.createDirectories(GOLDEN);
            Files.writeString(golden, rendered, StandardCharsets.UTF_8);
        }
        if (!Files.exists(golden)) {
            fail("golden file " + golden.toAbsolutePath() + " is missing; create it with "
                    + "mvn -pl harmony-api test -Dtest=SvgSeedGoldenTest -Dharmony.updateDiagrams=true");
        }
        assertThat(rendered)
                .as("%s differs from its golden file; if the change is intended, rerun with "
                        + "-Dharmony.updateDiagrams=true and review the diff", golden)
                .isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
    }
}
