package dev.harmony.dicom;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** DCMTK storescp as a PACS on a free loopback port, writing into a directory; stopped by its own pid. */
public final class StoreScp implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path dir;
    private final Path log;

    private StoreScp(Process process, int port, Path dir, Path log) {
        this.process = process;
        this.port = port;
        this.dir = dir;
        this.log = log;
    }

    public static StoreScp start(Path work, String aeTitle, String... extraArgs) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(work.resolve("storescp-out"));
        Path log = work.resolve("storescp.log");
        int port = Dcmtk.freePort();
        String[] args = Stream.concat(Stream.of("--output-directory", dir.toString(), "-aet", aeTitle),
                Stream.concat(Stream.of(extraArgs), Stream.of(String.valueOf(port)))).toArray(String[]::new);
        Process p = Dcmtk.start(log, "storescp", args);
        Dcmtk.awaitListening(port, Duration.ofSeconds(20), p);
        return new StoreScp(p, port, dir, log);
    }

    public int port() {
        return port;
    }

    public Path dir() {
        return dir;
    }

    public long fileCount() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
