package dev.harmony.http.dashboard;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real Debian {@code chromium} headless with a fresh profile and returns the DOM after the page's
 * scripts ran for a while of virtual time (timers run, network requests complete, then the DOM is dumped).
 */
final class HeadlessChromium {
    private static final long TIMEOUT_SECONDS = 90;

    private final Path executable;
    private final Path workDir;
    private int runs;

    HeadlessChromium(Path workDir) {
        this.executable = executable();
        this.workDir = workDir;
    }

    /** Loads {@code url}, lets its scripts run for {@code virtualMillis} of virtual time, returns the DOM. */
    String dumpDom(URI url, int virtualMillis) throws IOException, InterruptedException {
        return run(url, List.of("--virtual-time-budget=" + virtualMillis, "--dump-dom"));
    }

    /** Loads {@code url} and writes a PNG of the viewport (for people looking at test output). */
    void screenshot(URI url, Path png, int width, int height, int virtualMillis) throws IOException, InterruptedException {
        run(url, List.of("--virtual-time-budget=" + virtualMillis, "--hide-scrollbars",
                "--window-size=" + width + "," + height, "--screenshot=" + png.toAbsolutePath()));
    }

    private String run(URI url, List<String> extra) throws IOException, InterruptedException {
        Path profile = Files.createDirectories(workDir.resolve("profile-" + (++runs)));
        Path out = workDir.resolve("stdout-" + runs + ".html");
        Path err = workDir.resolve("stderr-" + runs + ".txt");
        List<String> command = new ArrayList<>(List.of(executable.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-component-update",
                "--disable-sync", "--disable-extensions", "--disable-dev-shm-usage", "--user-data-dir=" + profile));
        command.addAll(extra);
        command.add(url.toString());
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("chromium did not finish loading " + url + " within " + TIMEOUT_SECONDS
                        + " s; stderr:\n" + Files.readString(err, StandardCharsets.UTF_8));
            }
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        if (process.exitValue() != 0) {
            throw new AssertionError("chromium exited with " + process.exitValue() + " loading " + url + "; stderr:\n"
                    + Files.readString(err, StandardCharsets.UTF_8));
        }
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    static Path executable() {
        String override = System.getenv("HARMONY_CHROMIUM");
        if (override != null && !override.isBlank()) {
            return Path.of(override);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        throw new AssertionError("headless Chromium is needed for the dashboard browser test and was not found on "
                + "PATH; install it with 'apt-get install -y chromium' (CI does) or set HARMONY_CHROMIUM");
    }
}
