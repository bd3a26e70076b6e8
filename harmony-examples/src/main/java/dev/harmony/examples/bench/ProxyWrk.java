package dev.harmony.examples.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs Debian's {@code wrk} and reads requests/s and latency percentiles from its report. */
final class ProxyWrk {
    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");

    /**
     * One measurement.
     *
     * @param requestsPerSecond throughput
     * @param p50Millis median latency
     * @param p99Millis 99th percentile latency
     * @param errors non-2xx answers plus socket errors
     */
    record Result(double requestsPerSecond, double p50Millis, double p99Millis, long errors) {
    }

    private ProxyWrk() {
    }

    static Result run(String url, int connections, int seconds, String authorization) throws IOException, InterruptedException {
        return run(url, connections, seconds, authorization, null);
    }

    /** As above, with a wrk Lua {@code script} (null: none) that sets the method, headers and body. */
    static Result run(String url, int connections, int seconds, String authorization, java.nio.file.Path script)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("wrk", "-t1", "-c" + connections, "-d" + seconds + "s", "--latency"));
        if (authorization != null) {
            cmd.add("-H");
            cmd.add("Authorization: " + authorization);
        }
        if (script != null) {
            cmd.add("-s");
            cmd.add(script.toString());
        }
        cmd.add(url);
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("wrk is needed (apt-get install -y wrk): " + e.getMessage(), e);
        }
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(seconds + 30L, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("wrk failed: " + out);
        }
        Matcher rps = RPS.matcher(out);
        if (!rps.find()) {
            throw new IOException("cannot read wrk's report:\n" + out);
        }
        long errors = 0;
        Matcher non2xx = NON_2XX.matcher(out);
        if (non2xx.find()) {
            errors += Long.parseLong(non2xx.group(1));
        }
        Matcher socket = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)").matcher(out);
        if (socket.find()) {
            for (int i = 1; i <= 4; i++) {
                errors += Long.parseLong(socket.group(i));
            }
        }
        return new Result(Double.parseDouble(rps.group(1)), percentile(out, "50%"), percentile(out, "99%"), errors);
    }

    private static double percentile(String report, String which) throws IOException {
        Matcher m = Pattern.compile("\\s" + Pattern.quote(which) + "\\s+([0-9.]+)(us|ms|s)").matcher(report);
        if (!m.find()) {
            throw new IOException("no " + which + " latency in wrk's report:\n" + report);
        }
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> v / 1000;
            case "ms" -> v;
            default -> v * 1000;
        };
    }
}
