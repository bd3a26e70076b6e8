package dev.harmony.examples;

import dev.harmony.http.dashboard.Dashboard;
import dev.harmony.http.dashboard.PipelineMetrics;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;

/**
 * {@code --dashboard [ADDR:]PORT} for serving subcommands: the live dashboard of every pipeline in this
 * JVM, and its Prometheus scrape endpoint {@code /metrics}. The option is checked when the command is prepared ({@link #requested}, {@link #byDefault}) and
 * the dashboard started with the command's other parts ({@link Spec#start}). Credentials come from the
 * environment, never the command line: {@code HARMONY_DASHBOARD_USER} + {@code HARMONY_DASHBOARD_PASSWORD}
 * (basic) and/or {@code HARMONY_DASHBOARD_TOKEN} (bearer).
 *
 * <pre>{@code
 * public Set<String> valuedOptions() { return Set.of("port", DashboardOption.OPTION); }
 * ...
 * DashboardOption.Spec dashboard = DashboardOption.requested(args);      // in prepare(): null when not asked for
 * ...
 * startup.start("--dashboard", dashboard.port(), () -> dashboard.start(startup.announce(), null));
 * }</pre>
 */
final class DashboardOption {
    /** The option name, without dashes: add it to a command's {@link Command#valuedOptions()}. */
    static final String OPTION = "dashboard";
    /** The flag that turns a default-on dashboard off (for {@code all}): add it to {@link Command#flagOptions()}. */
    static final String OFF_FLAG = "no-dashboard";
    /** Where {@code all} puts it unless told otherwise. */
    static final int DEFAULT_PORT = 9090;

    private DashboardOption() {
    }

    /**
     * A checked dashboard address.
     *
     * @param address the interface to bind, or null for the dashboard's default (loopback)
     * @param port 0..65535 (0 = any free port)
     */
    record Spec(InetAddress address, int port) {
        /**
         * Starts the dashboard, showing {@code shared} metrics when not null, and prints its URL and that of
         * {@code /metrics} to {@code out}.
         */
        Dashboard start(PrintStream out, PipelineMetrics shared) {
            return start(System.getenv(), out, shared);
        }

        Dashboard start(Map<String, String> env, PrintStream out, PipelineMetrics shared) {
            Dashboard.Builder builder = Dashboard.on(port);
            if (shared != null) {
                builder.metrics(shared);
            }
            if (address != null) {
                builder.bind(address);
            }
            String user = env.get("HARMONY_DASHBOARD_USER");
            String password = env.get("HARMONY_DASHBOARD_PASSWORD");
            if (user != null || password != null) {
                builder.basicAuth(user == null ? "admin" : user, password);
            }
            String token = env.get("HARMONY_DASHBOARD_TOKEN");
            if (token != null) {
                builder.bearer(token);
            }
            Dashboard dashboard = builder.start();
            out.println("dashboard: " + dashboard.url());
            out.println("metrics:   " + dashboard.url().resolve("metrics") + " (Prometheus text format)");
            return dashboard;
        }
    }

    /** {@code --dashboard} if given, else null. */
    static Spec requested(Args args) {
        args.exclusive(OPTION, OFF_FLAG);
        return args.get(OPTION).map(DashboardOption::parse).orElse(null);
    }

    /** {@code --dashboard} if given, else {@code 127.0.0.1:defaultPort} unless {@code --no-dashboard} (then null). */
    static Spec byDefault(Args args, int defaultPort) {
        args.exclusive(OPTION, OFF_FLAG);
        if (args.flag(OFF_FLAG)) {
            return null;
        }
        return parse(args.get(OPTION).orElse(Integer.toString(defaultPort)));
    }

    /**
     * Parses {@code [ADDR:]PORT}, e.g. {@code 9090}, {@code 0.0.0.0:9090} or {@code [::1]:9090}.
     *
     * @throws IllegalArgumentException naming {@code --dashboard}
     */
    static Spec parse(String spec) {
        int colon = spec.lastIndexOf(':');
        String port = spec.substring(colon + 1);
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            p = -1;
        }
        if (p < 0 || p > 65_535) {
            throw new IllegalArgumentException("option --" + OPTION + " expects [ADDR:]PORT with PORT 0..65535, got '"
                    + spec + "'");
        }
        return new Spec(colon >= 0 ? address(spec.substring(0, colon)) : null, p);
    }

    private static InetAddress address(String host) {
        String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (literal.isEmpty()) {
            throw new IllegalArgumentException("option --" + OPTION + ": empty address before ':'");
        }
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("option --" + OPTION + ": unknown address '" + host + "'");
        }
    }
}
