package dev.harmony.dicom;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of a test's own: initdb in a temp dir, pg_ctl start on a free loopback port, pg_ctl
 * stop (the server's own pid file) and the directory removed at the end. As root it runs as {@code postgres}.
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

    public static PgServer start() throws Exception {
        Path bin = findBin();
        Path root = Files.createTempDirectory("harmony-dicom-pg-");
        PgServer pg = new PgServer(root, bin, Dcmtk.freePort());
        try {
            if (asRoot()) {
                check(Dcmtk.run(List.of("chown", "-R", "postgres:postgres", root.toString()), Duration.ofSeconds(30)),
                        "chown");
            }
            check(pg.pg(Duration.ofSeconds(120), "initdb", "-D", pg.data.toString(), "-A", "trust", "-U", "postgres",
                    "--no-sync"), "initdb");
            check(pg.pg(Duration.ofSeconds(60), "pg_ctl", "-D", pg.data.toString(), "-l", root.resolve("log").toString(),
                    "-o", "-p " + pg.port + " -c listen_addresses=127.0.0.1 -k " + root, "-w", "start"), "pg_ctl start");
        } catch (Exception | Error e) {
            pg.close();
            throw e;
        }
        return pg;
    }

    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    private Dcmtk.Result pg(Duration timeout, String tool, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (asRoot()) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.add(bin.resolve(tool).toString());
        cmd.addAll(List.of(args));
        return Dcmtk.run(cmd, timeout);
    }

    private static boolean asRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void check(Dcmtk.Result r, String what) {
        if (r.exitCode() != 0) {
            throw new AssertionError(what + " failed (" + r.exitCode() + "): " + r.output());
        }
    }

    private static Path findBin() throws IOException {
        Path base = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(base)) {
            try (Stream<Path> versions = Files.list(base)) {
                var found = versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                        .max(Comparator.comparing(b -> b.getParent().getFileName().toString()));
                if (found.isPresent()) {
                    return found.get();
                }
            }
        }
        throw new AssertionError("no PostgreSQL server under /usr/lib/postgresql (apt-get install postgresql)");
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
