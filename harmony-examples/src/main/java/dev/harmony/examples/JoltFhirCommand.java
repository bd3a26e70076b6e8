package dev.harmony.examples;

import dev.harmony.examples.joltfhir.JoltFhirExample;
import dev.harmony.fhir.backend.FhirAuth;
import dev.harmony.examples.joltfhir.JoltFhirServer;
import dev.harmony.queue.DeliveryQueue;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * {@code jolt-fhir [--port 8081] [--path /webhook/patient] [--fhir-base URL] [--spec FILE]}: runs the JOLT
 * to FHIR example until Ctrl-C (the pipeline itself is {@link JoltFhirExample}).
 */
final class JoltFhirCommand implements Command {

    @Override
    public String name() {
        return "jolt-fhir";
    }

    @Override
    public String summary() {
        return "webhook -> JSON schema -> JOLT -> FHIR validation -> FHIR store (transaction Bundle)";
    }

    @Override
    public String usage() {
        return """
                usage: jolt-fhir [--port 8081] [--path /webhook/patient] [--fhir-base URL] [--spec FILE]
                                 [--queue-dir DIR | --queue JDBC-URL] [--dashboard [ADDR:]PORT]
                  --port       webhook port on 127.0.0.1 (default 8081, 0 = any free port)
                  --path       webhook path (default /webhook/patient)
                  --fhir-base  FHIR store base URL; default: an embedded in-memory FHIR server
                  --spec       JOLT spec file instead of the shipped patient_to_fhir.json
                  --queue-dir  queue the Bundles in this journal: answer 202 Accepted with a message id
                               once queued, deliver to the FHIR store in the background (retries, restarts)
                  --queue      the same in PostgreSQL: jdbc:postgresql://HOST:PORT/DB?user=U
                  --dashboard  also serve the live dashboard on [ADDR:]PORT
                credentials for --fhir-base come from the environment, never the command line:
                  HARMONY_FHIR_TOKEN (bearer) or HARMONY_FHIR_USER + HARMONY_FHIR_PASSWORD (basic)
                """;
    }

    @Override
    public Set<String> valuedOptions() {
        return Set.of("port", "path", "fhir-base", "spec", DashboardOption.OPTION, QueueOption.DIR, QueueOption.JDBC);
    }

    @Override
    public Run prepare(Args args) {
        int port = args.port("port", JoltFhirExample.DEFAULT_PORT);
        String path = args.get("path", JoltFhirExample.DEFAULT_PATH);
        if (!path.startsWith("/") || path.contains("?") || path.contains("#") || path.contains(" ")) {
            throw new IllegalArgumentException("option --path expects a path such as /webhook/patient, got '" + path
                    + "'");
        }
        URI base = args.url("fhir-base").orElse(null);
        Path spec = args.readableFile("spec").orElse(null);
        FhirAuth auth = authFromEnvironment(System.getenv());
        DeliveryQueue.Location queue = QueueOption.location(args).orElse(null);
        DashboardOption.Spec dashboard = DashboardOption.requested(args);
        Args.requireDistinctPorts(DicomScpCommand.ports(port, dashboard));
        return out -> {
            try (Startup startup = new Startup()) {
                startup.start("--port", port,
                        () -> JoltFhirServer.start(port, path, base, spec, auth, queue, startup.announce()));
                if (dashboard != null) {
                    startup.start("--dashboard", dashboard.port(), () -> dashboard.start(startup.announce(), null));
                }
                startup.ready(out);
                Serving.untilStopped(name(), startup);
            }
            return 0;
        };
    }

    /** Bearer from {@code HARMONY_FHIR_TOKEN}, else basic from {@code HARMONY_FHIR_USER}/{@code _PASSWORD}. */
    static FhirAuth authFromEnvironment(Map<String, String> env) {
        String token = env.get("HARMONY_FHIR_TOKEN");
        if (token != null) {
            return FhirAuth.bearer(token);
        }
        String user = env.get("HARMONY_FHIR_USER");
        String password = env.get("HARMONY_FHIR_PASSWORD");
        if (user != null || password != null) {
            if (user == null || password == null) {
                throw new IllegalArgumentException("set both HARMONY_FHIR_USER and HARMONY_FHIR_PASSWORD, or neither");
            }
            return FhirAuth.basic(user, password);
        }
        return FhirAuth.none();
    }
}
