package dev.harmony.diagram;

import dev.harmony.message.Protocol;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Backend;
import dev.harmony.pipeline.Frontend;
import dev.harmony.pipeline.Handler;
import dev.harmony.pipeline.Middleware;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.pipeline.Stage;
import java.util.List;

/** The three seed pipelines' shapes, built from test stages that describe themselves like the real ones. */
final class SvgSeedPipelines {
    private SvgSeedPipelines() {
    }

    static List<Pipeline> all() {
        return List.of(dicomScp(), fhirProxy(), joltFhir());
    }

    static Pipeline dicomScp() {
        return Pipeline.builder().name("dicom-scp")
                .source("Modality", "CT Scanner")
                .frontend(frontend("DICOM Listener", "Port 11112"))
                .use(middleware("AE Title Check", "Validation"))
                .backend(backend("File Adapter", "Write to Disk"))
                .target("PACS Archive")
                .target("File System")
                .build();
    }

    static Pipeline fhirProxy() {
        return Pipeline.builder().name("fhir-proxy")
                .source("Mobile App")
                .source("Patient Portal")
                .frontend(frontend("HTTP Ingress", "Port 8080"))
                .use(middleware("Auth Guard", "OAuth2 / JWT"))
                .use(middleware("Rate Limit", "100 req/min"))
                .backend(backend("HTTP Client", "Forward Request"))
                .target("FHIR Server", "R4 upstream")
                .build();
    }

    static Pipeline joltFhir() {
        return Pipeline.builder().name("jolt-fhir")
                .source("Legacy System", "HL7v2 as JSON")
                .frontend(frontend("Webhook", "Receive POST"))
                .use(middleware("JOLT Transform", "patient_to_fhir.json"))
                .use(middleware("Validation", "Schema Check"))
                .backend(backend("FHIR Client", "POST Bundle"))
                .target("FHIR Store")
                .build();
    }

    /** A frontend that only describes itself: diagrams never start it. */
    static Frontend frontend(String label, String detail) {
        return new Frontend() {
            @Override
            public Protocol protocol() {
                return Protocol.MEMORY;
            }

            @Override
            public void start(Handler handler) {
            }

            @Override
            public void stop() {
            }

            @Override
            public Stage.Description describe() {
                return new Stage.Description(label, detail);
            }
        };
    }

    static Middleware middleware(String label, String detail) {
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

    static Backend backend(String label, String detail) {
        return new Backend() {
            @Override
            public Response handle(Request request) {
                return Response.ok();
            }

            @Override
            public Stage.Description describe() {
                return new Stage.Description(label, detail);
            }
        };
    }
}
