package dev.harmony.queue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server of its own for a test: initdb in a fresh directory, pg_ctl start on a free
 * loopback port, pg_ctl stop (by the server's own pid file) and the directory removed at the end. As
 * root, the server runs as user {@code postgres}, which owns the directory.
 */
final class PgServer implements AutoCloseable {
    private final Path root;
    private final Path data;
    private final Path bin;
    final int port;

    private PgServer(Path root, Path bin, int port) {
        this.root = root;
        this.data = root.resolve("data");
        this.bin = bin;
        this.port = port;
    }

    static PgServer start() throws Exception {
        Path bin = findBin();
        Path root = Files.createTempDirectory("harmony-pg-");
        int port = Peers.freePort();
        PgServer pg = new PgServer(root, bin, port);
        try {
            if (asRoot()) {
                Peers.Result chown = Peers.run(Duration.ofSeconds(30), "chown", "-R", "postgres:postgres", root.toString());
                check(chown, "chown");
            }
            check(pg.pg(Duration.ofSeconds(120), "initdb", "-D", pg.data.toString(), "-A", "trust", "-U", "postgres",
                    "--no-sync"), "initdb");
            check(pg.pg(Duration.ofSeconds(60), "pg_ctl", "-D", pg.data.toString(), "-l", root.resolve("log").toString(),
                    "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -k " + root, "-w", "start"), "pg_ctl start");
        } catch (Exception | Error e) {
            pg.close();
            throw e;
        }
        return pg;
    }

    String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    private Peers.Result pg(Duration timeout, String tool, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (asRoot()) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.add(bin.resolve(tool).toString());
        cmd.addAll(List.of(args));
        return Peers.run(timeout, cmd.toArray(String[]::new));
    }

    private static boolean asRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void check(Peers.Result r, String what) {
        if (r.exitCode() != 0) {
            throw new AssertionError(what + " failed (" + r.exitCode() + "): " + r.output());
        }
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

    @Override
    public void close() throws IOException {
        if (Files.exists(data.resolve("postmaster.pid"))) {
            try {
                pg(Duration.ofSeconds(60), "pg_ctl", "-D", data.toString(), "-m", "fast", "-w", "stop");
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
