package dev.harmony.examples;

import dev.harmony.http.dashboard.Dashboard;
import dev.harmony.http.dashboard.PipelineMetrics;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;

/**
 * {@code --dashboard [ADDR:]PORT} for serving subcommands: starts the live dashboard of every pipeline
 * in this JVM and prints its URL and that of its Prometheus scrape endpoint {@code /metrics}.
 * Credentials come from the environment, never the command line:
 * {@code HARMONY_DASHBOARD_USER} + {@code HARMONY_DASHBOARD_PASSWORD} (basic) and/or
 * {@code HARMONY_DASHBOARD_TOKEN} (bearer).
 *
 * <pre>{@code
 * public Set<String> valuedOptions() { return Set.of("port", DashboardOption.OPTION); }
 * ...
 * try (Dashboard dashboard = DashboardOption.startIfRequested(args)) {   // null when not asked for
 *     ... serve until stopped ...
 * }
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

    /** Starts a dashboard if {@code --dashboard} was given, printing its URL; otherwise returns null. */
    static Dashboard startIfRequested(Args args) {
        return startIfRequested(args, System.getenv(), System.out);
    }

    /** As {@link #startIfRequested(Args)}, showing {@code shared} metrics (e.g. the ones a report reads). */
    static Dashboard startIfRequested(Args args, PipelineMetrics shared) {
        return args.get(OPTION).map(spec -> start(spec, System.getenv(), System.out, shared)).orElse(null);
    }

    /**
     * Starts a dashboard on {@code --dashboard} if given, else on {@code 127.0.0.1:defaultPort} unless
     * {@code --no-dashboard} is set (then returns null).
     */
    static Dashboard startByDefault(Args args, int defaultPort) {
        return startByDefault(args, defaultPort, null);
    }

    /** As {@link #startByDefault(Args, int)}, showing {@code shared} metrics when not null. */
    static Dashboard startByDefault(Args args, int defaultPort, PipelineMetrics shared) {
        if (args.flag(OFF_FLAG)) {
            return null;
        }
        String spec = args.get(OPTION).orElse(Integer.toString(defaultPort));
        return start(spec, System.getenv(), System.out, shared);
    }

    static Dashboard startIfRequested(Args args, Map<String, String> env, PrintStream out) {
        return args.get(OPTION).map(spec -> start(spec, env, out, null)).orElse(null);
    }

    static Dashboard start(String spec, Map<String, String> env, PrintStream out, PipelineMetrics shared) {
        Dashboard.Builder builder = Dashboard.on(port(spec));
        if (shared != null) {
            builder.metrics(shared);
        }
        int colon = spec.lastIndexOf(':');
        if (colon >= 0) {
            builder.bind(address(spec.substring(0, colon)));
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

    private static int port(String spec) {
        String port = spec.substring(spec.lastIndexOf(':') + 1);
        try {
            int p = Integer.parseInt(port);
            if (p < 0 || p > 65_535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option --" + OPTION + " expects [ADDR:]PORT with PORT 0..65535, got '"
                    + spec + "'");
        }
    }

    private static InetAddress address(String host) {
        String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("option --" + OPTION + ": unknown address '" + host + "'");
        }
    }
}
