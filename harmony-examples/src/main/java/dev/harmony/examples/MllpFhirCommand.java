package dev.harmony.examples;

import dev.harmony.examples.mllpfhir.MllpFhirExample;
import dev.harmony.examples.mllpfhir.MllpFhirServer;
import dev.harmony.fhir.backend.FhirAuth;
import java.net.URI;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code mllp-fhir [--port 2575] [--fhir-base URL] [--spec FILE]}: runs the HL7 v2 over MLLP to FHIR
 * example until Ctrl-C (the pipeline itself is {@link MllpFhirExample}).
 */
final class MllpFhirCommand implements Command {

    @Override
    public String name() {
        return "mllp-fhir";
    }

    @Override
    public String summary() {
        return "HL7 v2 over MLLP -> JSON -> JOLT -> FHIR validation -> FHIR store (ACK AA/AE/AR)";
    }

    @Override
    public String usage() {
        return """
                usage: mllp-fhir [--port 2575] [--fhir-base URL] [--spec FILE] [--dashboard [ADDR:]PORT]
                  --port       MLLP port on 127.0.0.1 (default 2575, 0 = any free port)
                  --fhir-base  FHIR store base URL; default: an embedded in-memory FHIR server
                  --spec       JOLT spec file instead of the shipped adt_to_fhir.json
                  --dashboard  also serve the live dashboard on [ADDR:]PORT
                credentials for --fhir-base come from the environment, never the command line:
                  HARMONY_FHIR_TOKEN (bearer) or HARMONY_FHIR_USER + HARMONY_FHIR_PASSWORD (basic)
                """;
    }

    @Override
    public Set<String> valuedOptions() {
        return Set.of("port", "fhir-base", "spec", DashboardOption.OPTION);
    }

    @Override
    public Run prepare(Args args) {
        int port = args.port("port", MllpFhirExample.DEFAULT_PORT);
        URI base = args.url("fhir-base").orElse(null);
        Path spec = args.readableFile("spec").orElse(null);
        FhirAuth auth = JoltFhirCommand.authFromEnvironment(System.getenv());
        DashboardOption.Spec dashboard = DashboardOption.requested(args);
        Args.requireDistinctPorts(DicomScpCommand.ports(port, dashboard));
        return out -> {
            try (Startup startup = new Startup()) {
                startup.start("--port", port, () -> MllpFhirServer.start(port, base, spec, auth, startup.announce()));
                if (dashboard != null) {
                    startup.start("--dashboard", dashboard.port(), () -> dashboard.start(startup.announce(), null));
                }
                startup.ready(out);
                Serving.untilStopped(name(), startup);
            }
            return 0;
        };
    }
}
