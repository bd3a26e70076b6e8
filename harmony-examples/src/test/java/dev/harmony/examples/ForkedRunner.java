package dev.harmony.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The runner in its own JVM, as a user starts it ({@code Main.main}: logging configured, real exit code),
 * with a chosen working directory and {@code java.io.tmpdir}. Stdout is read line by line; stderr goes to
 * a file. Stopped by its own pid.
 */
final class ForkedRunner implements AutoCloseable {
    private static final String END = "\u0000end";
    private final Process process;
    private final Path stderr;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();

    private ForkedRunner(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
        Thread reader = new Thread(this::pump, "forked-runner-stdout-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code java -cp <test class path> dev.harmony.examples.Main args...} in {@code workDir}. */
    static ForkedRunner start(Path workDir, Path tmpDir, Path stderr, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Djava.io.tmpdir=" + tmpDir, "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        command.addAll(List.of(args));
        Files.createDirectories(workDir);
        Files.createDirectories(tmpDir);
        Process p = new ProcessBuilder(command).directory(workDir.toFile())
                .redirectError(stderr.toFile()).start();
        p.getOutputStream().close();
        return new ForkedRunner(p, stderr);
    }

    private void pump() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                lines.add(line);
            }
        } catch (IOException e) {
            // the process went away: the end marker tells the waiter
        }
        lines.add(END);
    }

    /** Waits (bounded) for the first stdout line matching {@code wanted}; fails with what was printed if none. */
    String awaitLine(Predicate<String> wanted, long seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null || line.equals(END)) {
                if (line != null) {
                    lines.add(END);
                }
                throw new AssertionError("no such line within " + seconds + " s; stdout so far:\n"
                        + String.join("\n", seen) + "\nstderr:\n" + stderr());
            }
            seen.add(line);
            if (wanted.test(line)) {
                return line;
            }
        }
    }

    /** Waits (bounded) for the process to exit and returns its exit code. */
    int awaitExit(long seconds) throws Exception {
        assertThat(process.waitFor(seconds, TimeUnit.SECONDS)).as("exited within %d s; stderr: %s", seconds, stderr())
                .isTrue();
        return process.exitValue();
    }

    /** Everything printed on stdout (waits for the end of the stream, so call it after the process exited). */
    List<String> stdout() throws InterruptedException {
        while (true) {
            String line = lines.poll(30, TimeUnit.SECONDS);
            if (line == null || line.equals(END)) {
                if (line != null) {
                    lines.add(END);
                }
                return List.copyOf(seen);
            }
            seen.add(line);
        }
    }

    String stderr() throws IOException {
        return Files.exists(stderr) ? Files.readString(stderr) : "";
    }

    /** SIGTERM, as Ctrl-C would. */
    void stop() throws InterruptedException {
        process.destroy();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                stop();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }
}
