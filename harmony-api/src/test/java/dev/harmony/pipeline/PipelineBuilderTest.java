package dev.harmony.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.harmony.message.Protocol;
import dev.harmony.message.Response;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

class PipelineBuilderTest {
    private final TestBackend backend = TestBackend.answering(Response.ok());

    @Test
    void missingNameFrontendAndBackendAreAllReported() {
        assertThatThrownBy(() -> Pipeline.builder().build())
                .isInstanceOf(PipelineException.class)
                .hasMessageContaining("no name: call name(...)")
                .hasMessageContaining("no frontend: call frontend(...)")
                .hasMessageContaining("no backend: call backend(...)");
    }

    @Test
    void badNameIsRejected() {
        assertThatThrownBy(() -> Pipeline.builder().name("has space").frontend(TestFrontend.create())
                .backend(backend).build())
                .hasMessageContaining("name 'has space' must be 1-64 letters");
    }

    @Test
    void duplicateStageNamesNameBothStages() {
        var log = new ArrayList<String>();
        assertThatThrownBy(() -> Pipeline.builder().name("dup").frontend(TestFrontend.create())
                .use(Stages.trail("Auth Guard", log))
                .use(Stages.trail("Auth Guard", log))
                .backend(backend).build())
                .hasMessageContaining("pipeline 'dup' is miswired")
                .hasMessageContaining("duplicate stage name 'Auth Guard' (middleware #1 and middleware #2)");
    }

    @Test
    void explicitNamesResolveDuplicateLabels() {
        var log = new ArrayList<String>();
        Pipeline p = Pipeline.builder().name("dup").frontend(TestFrontend.create())
                .use("auth-1", Stages.trail("Auth Guard", log))
                .use("auth-2", Stages.trail("Auth Guard", log))
                .backend(backend).build();
        assertThat(p.diagram().middleware()).extracting(n -> n.id()).containsExactly("auth-1", "auth-2");
    }

    @Test
    void middlewareForAnotherProtocolNamesTheStageAndBothProtocols() {
        assertThatThrownBy(() -> Pipeline.builder().name("mixed")
                .frontend(TestFrontend.speaking(Protocol.HTTP))
                .use(Stages.onlyFor("AE Title Check", Protocol.DICOM))
                .backend(backend).build())
                .hasMessageContaining("middleware #1 'AE Title Check' works with [DICOM] but frontend "
                        + "'Direct Frontend' speaks HTTP");
    }

    @Test
    void backendForAnotherProtocolIsReported() {
        Backend dicomOnly = new Backend() {
            @Override
            public Response handle(dev.harmony.message.Request request) {
                return Response.ok();
            }

            @Override
            public java.util.Set<Protocol> protocols() {
                return java.util.Set.of(Protocol.DICOM);
            }

            @Override
            public Description describe() {
                return new Description("File Adapter", "Write to Disk");
            }
        };
        assertThatThrownBy(() -> Pipeline.builder().name("mixed").frontend(TestFrontend.speaking(Protocol.HTTP))
                .backend(dicomOnly).build())
                .hasMessageContaining("backend 'File Adapter' works with [DICOM]");
    }

    @Test
    void twoFrontendsOrTwoBackendsAreRefused() {
        assertThatThrownBy(() -> Pipeline.builder().name("two").frontend(TestFrontend.create())
                .frontend(TestFrontend.create()).backend(backend).backend(backend).build())
                .hasMessageContaining("more than one frontend")
                .hasMessageContaining("more than one backend");
    }

    @Test
    void nullStagesFailImmediately() {
        assertThatThrownBy(() -> Pipeline.builder().use((Middleware) null))
                .isInstanceOf(NullPointerException.class).hasMessage("middleware");
    }
}
