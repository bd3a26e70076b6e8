package dev.harmony.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** The runner in its own JVM ({@code -Xmx256m}), its stderr in a log file; stopped or killed by its own pid. */
public final class RunnerProcess implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final int port;

    private RunnerProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts {@code java ... Main args...} and waits (bounded) for its {@code READY <command> <port>} line. */
    public static RunnerProcess start(Path log, String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        BufferedReader stdout = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String prefix = "READY " + args[0] + " ";
        String ready = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line = stdout.readLine(); line != null; line = stdout.readLine()) {
                    if (line.startsWith(prefix)) {
                        return line;
                    }
                }
                return null;
            } catch (IOException e) {
                return null;
            }
        }).get(60, TimeUnit.SECONDS);
        if (ready == null || !ready.startsWith(prefix)) {
            p.destroyForcibly();
            throw new AssertionError("no READY line; stderr: " + Files.readString(log));
        }
        Thread drain = new Thread(() -> {
            try {
                stdout.transferTo(Writer.nullWriter());
            } catch (IOException ignored) {
                // the runner died
            }
        }, "runner-process-stdout");
        drain.setDaemon(true);
        drain.start();
        return new RunnerProcess(p, log, Integer.parseInt(ready.substring(prefix.length()).trim()));
    }

    public int port() {
        return port;
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    /** kill -9: no shutdown hook runs, nothing is flushed that was not already durable. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the runner died").isTrue();
    }

    /** SIGTERM, as Ctrl-C; waits for the exit. */
    public void stop() throws InterruptedException {
        process.destroy();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the runner exits after SIGTERM").isTrue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A DCMTK tool from PATH, or a failure saying how to install it. */
    public static String tool(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, name))) {
                return Path.of(d, name).toString();
            }
        }
        throw new AssertionError(name + " is not installed: apt-get install -y dcmtk (see .ci/run)");
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Waits (bounded) until {@code condition} holds; fails naming {@code what}. */
    public static void await(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50); // the polling interval of a bounded wait, not synchronisation
        }
    }
}
