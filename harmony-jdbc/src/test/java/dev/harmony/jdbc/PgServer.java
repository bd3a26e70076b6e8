package dev.harmony.jdbc;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server of a test's own: initdb in a fresh temp directory, pg_ctl start on a free
 * loopback port, pg_ctl stop (by the server's own pid file) and the directory removed at close. As
 * root, the server runs as user {@code postgres}, which owns the directory. Shared by the queue's, the
 * DICOM index's and the runner's tests through this module's test-jar.
 */
public final class PgServer implements AutoCloseable {
    private final Path root;
    private final Path data;
    private final Path bin;
    private final int port;

    private PgServer(Path root, Path bin, int port) {
        this.root = root;
        this.data = root.resolve("data");
        this.bin = bin;
        this.port = port;
    }

    /** Starts a new server (initdb, trust authentication, user {@code postgres}) and waits until it accepts. */
    public static PgServer start() throws IOException, InterruptedException {
        Path bin = findBin();
        Path root = Files.createTempDirectory("harmony-pg-");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        PgServer pg = new PgServer(root, bin, port);
        try {
            if (asRoot()) {
                pg.check(Duration.ofSeconds(30), "chown", List.of("chown", "-R", "postgres:postgres", root.toString()));
            }
            pg.check(Duration.ofSeconds(120), "initdb", pg.tool("initdb", "-D", pg.data.toString(), "-A", "trust",
                    "-U", "postgres", "--no-sync"));
            pg.check(Duration.ofSeconds(60), "pg_ctl start", pg.tool("pg_ctl", "-D", pg.data.toString(),
                    "-l", root.resolve("log").toString(),
                    "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -k " + root, "-w", "start"));
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            pg.close();
            throw e;
        }
        return pg;
    }

    /** {@code jdbc:postgresql://127.0.0.1:PORT/postgres?user=postgres}. */
    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    public int port() {
        return port;
    }

    private List<String> tool(String name, String... args) {
        List<String> cmd = new ArrayList<>();
        if (asRoot()) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.add(bin.resolve(name).toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs {@code command} (output to a file, so a child keeping it open cannot hang us) and fails unless it exits 0. */
    private void check(Duration timeout, String what, List<String> command) throws IOException, InterruptedException {
        Path out = Files.createTempFile("harmony-pg-cmd-", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(what + " did not finish within " + timeout);
            }
            if (p.exitValue() != 0) {
                throw new AssertionError(what + " failed (" + p.exitValue() + "): "
                        + Files.readString(out, StandardCharsets.UTF_8));
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static boolean asRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The newest installed server's bin directory, e.g. /usr/lib/postgresql/15/bin. */
    private static Path findBin() throws IOException {
        Path base = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(base)) {
            try (Stream<Path> versions = Files.list(base)) {
                var found = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                        .max(Comparator.comparingInt(b -> versionOf(b.getParent())));
                if (found.isPresent()) {
                    return found.get();
                }
            }
        }
        throw new AssertionError("no PostgreSQL server installed under /usr/lib/postgresql (apt-get install postgresql)");
    }

    private static int versionOf(Path dir) {
        try {
            return Integer.parseInt(dir.getFileName().toString().replaceAll("\\D.*", ""));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Stops the server (fast shutdown) if it runs and removes its directory. */
    @Override
    public void close() throws IOException {
        if (Files.exists(data.resolve("postmaster.pid"))) {
            try {
                check(Duration.ofSeconds(60), "pg_ctl stop", tool("pg_ctl", "-D", data.toString(), "-m", "fast", "-w", "stop"));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
