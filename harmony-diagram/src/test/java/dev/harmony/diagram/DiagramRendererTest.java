package dev.harmony.diagram;

import dev.harmony.pipeline.Diagram;
import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.message.Response;
import dev.harmony.pipeline.Middleware;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.pipeline.Stage;
import dev.harmony.testing.DirectFrontend;
import dev.harmony.testing.RecordingBackend;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DiagramRendererTest {

    private static Middleware described(String label, String detail) {
        return new Middleware() {
            @Override
            public Response intercept(Chain chain) {
                return chain.proceed(chain.request());
            }

            @Override
            public Stage.Description describe() {
                return new Stage.Description(label, detail);
            }
        };
    }

    static Diagram dicomLike() {
        return Pipeline.builder().name("dicom-scp")
                .source("Modality", "CT Scanner")
                .frontend(DirectFrontend.create())
                .use(described("AE Title Check", "Validation"))
                .use(described("Audit \"log\"", ""))
                .backend(RecordingBackend.answering(Response.ok()))
                .target("PACS Archive")
                .target("File System", "Part-10 files")
                .build().diagram();
    }

    @Test
    void textRendering() throws IOException {
        assertThat(DiagramRenderer.text().render(dicomLike())).isEqualTo(golden("dicom-like.txt"));
    }

    @Test
    void mermaidRendering() throws IOException {
        assertThat(DiagramRenderer.mermaid().render(dicomLike())).isEqualTo(golden("dicom-like.mmd"));
    }

    @Test
    void flowIsOneLine() {
        assertThat(dicomLike().flow()).isEqualTo(
                "Modality -> Direct Frontend -> AE Title Check -> Audit \"log\" -> Recording Backend"
                        + " -> PACS Archive, File System");
    }

    @Test
    void pipelineWithoutSourcesOrTargetsStillRenders() {
        Diagram d = Pipeline.builder().name("bare").frontend(DirectFrontend.create())
                .backend(r -> Response.ok()).build().diagram();
        assertThat(DiagramRenderer.text().render(d)).startsWith("Pipeline bare\n  Frontend    Direct Frontend [MEMORY]\n");
        assertThat(DiagramRenderer.mermaid().render(d)).contains("bare_s0 --> bare_s1");
    }

    private static String golden(String name) throws IOException {
        try (InputStream in = DiagramRendererTest.class.getResourceAsStream("/diagrams/" + name)) {
            assertThat(in).as("golden file %s", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
