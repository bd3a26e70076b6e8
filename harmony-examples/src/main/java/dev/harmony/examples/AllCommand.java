package dev.harmony.examples;

import dev.harmony.examples.all.Demo;
import dev.harmony.examples.all.DemoReport;
import dev.harmony.examples.all.DemoStep;
import dev.harmony.examples.all.Showcase;
import dev.harmony.examples.all.ShowcaseSettings;
import dev.harmony.http.dashboard.Dashboard;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

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
        return "run all three seed pipelines (+ dashboard on 127.0.0.1:9090); --demo drives sample traffic";
    }

    @Override
    public String usage() {
        return """
                usage: all [--demo] [--dicom-port 11112] [--dicom-ae HARMONY] [--allow-calling-ae MODALITY,DEMO-CT]
                           [--dicom-dir ./harmony-data/dicom] [--proxy-port 8080] [--upstream URL]
                           [--webhook-port 8081] [--fhir-base URL] [--fhir-port 8090]
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
                  --dashboard         live dashboard address (default 127.0.0.1:9090)
                  --no-dashboard      no dashboard
                """;
    }

    @Override
    public Set<String> valuedOptions() {
        return Set.of("dicom-port", "dicom-ae", "allow-calling-ae", "dicom-dir", "proxy-port", "upstream",
                "webhook-port", "fhir-base", "fhir-port", DashboardOption.OPTION);
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

    @Override
    public int run(Args args) throws Exception {
        return run(args, System.out);
    }

    int run(Args args, PrintStream out) throws Exception {
        ShowcaseSettings settings = settings(args);
        boolean demo = demo(args);
        Showcase showcase = Showcase.start(settings, out);
        Dashboard dashboard = null;
        try {
            // one set of figures: the dashboard shows what the demo report prints
            dashboard = dashboardByDefault()
                    ? DashboardOption.startByDefault(args, DashboardOption.DEFAULT_PORT, showcase.metrics())
                    : DashboardOption.startIfRequested(args, showcase.metrics());
            out.println();
            out.println(demo ? "all pipelines are up; running the demo" : "all pipelines are up; Ctrl-C stops them");
            out.flush();
            if (demo) {
                List<DemoStep> steps = new Demo(showcase, out).run();
                return DemoReport.print(steps, showcase.pipelines(), showcase.metrics(), out)
                        ? 0 : 1;
            }
            Serving.untilStopped(name(), showcase, dashboard);
            return 0;
        } finally {
            if (dashboard != null) {
                dashboard.close();
            }
            showcase.close();
        }
    }

    ShowcaseSettings settings(Args args) {
        ShowcaseSettings d = defaults();
        List<String> allowed = args.list("allow-calling-ae").orElse(d.allowedCallingAes());
        return new ShowcaseSettings(args.port("dicom-port", d.dicomPort()), args.get("dicom-ae", d.dicomAeTitle()),
                allowed, args.get("dicom-dir").map(Path::of).orElse(d.dicomDir()),
                args.port("proxy-port", d.proxyPort()), args.get("upstream").map(AllCommand::uri).orElse(d.upstream()),
                args.port("webhook-port", d.webhookPort()),
                args.get("fhir-base").map(AllCommand::uri).orElse(d.fhirBase()), args.port("fhir-port", d.fhirPort()));
    }

    private static URI uri(String value) {
        URI u = URI.create(value);
        if (u.getScheme() == null || u.getHost() == null) {
            throw new IllegalArgumentException("expected an absolute http(s) URL, got '" + value + "'");
        }
        return u;
    }
}
