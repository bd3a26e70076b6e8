package dev.harmony.examples;

import dev.harmony.examples.all.Demo;
import dev.harmony.examples.all.DemoReport;
import dev.harmony.examples.all.DemoStep;
import dev.harmony.examples.all.Showcase;
import dev.harmony.examples.all.ShowcaseSettings;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code all [--demo]}: the three seed pipelines in one JVM with embedded defaults, plus the dashboard.
 * Without {@code --demo} it serves until Ctrl-C; with it, it drives sample traffic, prints a report and
 * exits 0 only if every step behaved as expected.
 */
class AllCommand implements Command {

    @Override
    public String name() {
        return "all";
    }

    @Override
    public String summary() {
        return "run the three seed pipelines and mllp-fhir (+ dashboard on 127.0.0.1:9090); --demo drives sample traffic";
    }

    @Override
    public String usage() {
        return """
                usage: all [--demo] [--dicom-port 11112] [--dicom-ae HARMONY] [--allow-calling-ae MODALITY,DEMO-CT]
                           [--dicom-dir ./harmony-data/dicom] [--proxy-port 8080] [--upstream URL]
                           [--webhook-port 8081] [--fhir-base URL] [--fhir-port 8090] [--mllp-port 2575]
                           [--dashboard [ADDR:]PORT | --no-dashboard]
                  --demo              drive sample traffic, print a report, exit 0 if all went as expected
                  --dicom-port        DICOM listener port (0 = any free port)
                  --dicom-ae          the listener's AE title
                  --allow-calling-ae  calling AE titles admitted by the AE title check
                  --dicom-dir         where received Part-10 files go
                  --proxy-port        FHIR proxy port (http://127.0.0.1:PORT/fhir)
                  --upstream          the proxy's upstream FHIR server (default: the embedded one)
                  --webhook-port      JOLT webhook port (http://127.0.0.1:PORT/webhook/patient)
                  --fhir-base         the JOLT pipeline's FHIR store (default: the embedded one)
                  --fhir-port         port of the embedded FHIR R4 server
                  --mllp-port         HL7 v2 MLLP listener port of mllp-fhir (into the same FHIR store)
                  --dashboard         live dashboard address (default 127.0.0.1:9090)
                  --no-dashboard      no dashboard
                """;
    }

    @Override
    public Set<String> valuedOptions() {
        return Set.of("dicom-port", "dicom-ae", "allow-calling-ae", "dicom-dir", "proxy-port", "upstream",
                "webhook-port", "fhir-base", "fhir-port", "mllp-port", DashboardOption.OPTION);
    }

    @Override
    public Set<String> flagOptions() {
        return Set.of("demo", DashboardOption.OFF_FLAG);
    }

    /** The defaults this command starts from; {@code demo} uses free ports instead. */
    ShowcaseSettings defaults() {
        return ShowcaseSettings.DEFAULTS;
    }

    /** Whether the dashboard runs unless {@code --no-dashboard}. */
    boolean dashboardByDefault() {
        return true;
    }

    boolean demo(Args args) {
        return args.flag("demo");
    }

    /** Whether received files go to a temporary directory, removed on exit (for {@code demo}). */
    boolean scratchDicomDir(Args args) {
        return false;
    }

    @Override
    public Run prepare(Args args) {
        ShowcaseSettings settings = settings(args);
        if (settings.upstream() != null && settings.fhirBase() != null && args.get("fhir-port").isPresent()) {
            throw new IllegalArgumentException("option --fhir-port has no effect: --upstream and --fhir-base both name "
                    + "an external FHIR server, so no embedded one is started");
        }
        DashboardOption.Spec dashboard = dashboardByDefault()
                ? DashboardOption.byDefault(args, DashboardOption.DEFAULT_PORT)
                : DashboardOption.requested(args);
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("--dicom-port", settings.dicomPort());
        ports.put("--proxy-port", settings.proxyPort());
        ports.put("--webhook-port", settings.webhookPort());
        ports.put("--mllp-port", settings.mllpPort());
        if (settings.upstream() == null || settings.fhirBase() == null) {
            ports.put("--fhir-port", settings.fhirPort());
        }
        if (dashboard != null) {
            ports.put("--dashboard", dashboard.port());
        }
        Args.requireDistinctPorts(ports);
        boolean demo = demo(args);
        boolean scratchDicomDir = scratchDicomDir(args);
        return out -> {
            Path scratch = scratchDicomDir ? Files.createTempDirectory("harmony-demo-") : null;
            try {
                return run(scratch == null ? settings : settings.withDicomDir(scratch.resolve("dicom")), dashboard, demo,
                        scratch, out);
            } finally {
                deleteTree(scratch);
            }
        };
    }

    /**
     * Starts the showcase and the dashboard, prints their READY lines once all are up, then runs the demo or
     * serves until stopped. {@code scratch}, when not null, is removed on Ctrl-C too, after everything stopped.
     */
    private int run(ShowcaseSettings settings, DashboardOption.Spec dashboard, boolean demo, Path scratch,
            PrintStream out) throws Exception {
        try (Startup startup = new Startup()) {
            Showcase showcase = startup.start(() -> Showcase.start(settings, startup.announce()));
            if (dashboard != null) {
                // one set of figures: the dashboard shows what the demo report prints
                startup.start("--dashboard", dashboard.port(),
                        () -> dashboard.start(startup.announce(), showcase.metrics()));
            }
            startup.announce().println();
            startup.announce().println(demo ? "all pipelines are up; running the demo"
                    : "all pipelines are up; Ctrl-C stops them");
            startup.ready(out);
            if (!demo) {
                Serving.untilStopped(name(), startup);
                return 0;
            }
            Thread interrupted = new Thread(() -> stopAndRemove(startup, scratch), name() + "-stop");
            Runtime.getRuntime().addShutdownHook(interrupted);
            try {
                List<DemoStep> steps = new Demo(showcase, out).run();
                return DemoReport.print(steps, showcase.pipelines(), showcase.metrics(), out) ? 0 : 1;
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(interrupted);
                } catch (IllegalStateException e) {
                    // shutting down already: the hook runs anyway
                }
            }
        }
    }

    ShowcaseSettings settings(Args args) {
        ShowcaseSettings d = defaults();
        return new ShowcaseSettings(args.port("dicom-port", d.dicomPort()), args.aeTitle("dicom-ae", d.dicomAeTitle()),
                args.aeTitles("allow-calling-ae").orElse(d.allowedCallingAes()),
                args.writableDirectory("dicom-dir").orElse(d.dicomDir()),
                args.port("proxy-port", d.proxyPort()), args.url("upstream").orElse(d.upstream()),
                args.port("webhook-port", d.webhookPort()),
                args.url("fhir-base").orElse(d.fhirBase()), args.port("fhir-port", d.fhirPort()),
                args.port("mllp-port", d.mllpPort()));
    }

    /** On Ctrl-C during the demo: stop the pipelines first, so nothing writes into {@code scratch} while it goes. */
    private static void stopAndRemove(Startup startup, Path scratch) {
        startup.close();
        deleteTree(scratch);
    }

    private static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("could not remove " + dir + ": " + e.getMessage());
        }
    }
}
