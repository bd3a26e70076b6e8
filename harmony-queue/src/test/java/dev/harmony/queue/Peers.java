package dev.harmony.queue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Real peers for the queue tests: DCMTK tools, a free port, bounded waits. */
final class Peers {
    static final String STUDY = "1.2.826.0.1.3680043.2.1125.77";

    private Peers() {
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Waits (bounded) until {@code condition} holds; fails naming {@code what}. */
    static void await(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20); // polling interval of a bounded wait, not synchronisation
        }
    }

    static void awaitListening(int port, Duration timeout) throws InterruptedException {
        await(timeout, "port " + port + " listening", () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    record Result(int exitCode, String output) {
    }

    static Result run(Duration timeout, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("TCP_NODELAY", "1");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** A small CT object made with dump2dcm; its file is named after its SOP Instance UID. */
    static Path ctObject(Path dir, String instance, int pixelBytes) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path pixels = dir.resolve("px-" + instance + ".raw");
        byte[] data = new byte[pixelBytes];
        new java.util.Random(instance.hashCode()).nextBytes(data);
        Files.write(pixels, data);
        Path dump = dir.resolve(instance + ".txt");
        Files.writeString(dump, String.join("\n",
                "(0008,0016) UI =CTImageStorage",
                "(0008,0018) UI [" + instance + "]",
                "(0008,0060) CS [CT]",
                "(0010,0010) PN [Queue^Test]",
                "(0020,000d) UI [" + STUDY + "]",
                "(0020,000e) UI [" + STUDY + ".1]",
                "(0028,0002) US 1",
                "(0028,0004) CS [MONOCHROME2]",
                "(0028,0010) US 64",
                "(0028,0011) US " + Math.max(1, pixelBytes / 128),
                "(0028,0100) US 16",
                "(0028,0101) US 16",
                "(0028,0102) US 15",
                "(0028,0103) US 0",
                "(7fe0,0010) OW =" + pixels.getFileName(),
                ""));
        Path out = dir.resolve(instance + ".dcm");
        ProcessBuilder pb = new ProcessBuilder("dump2dcm", dump.getFileName().toString(), out.toString())
                .directory(dir.toFile()).redirectErrorStream(true);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("dump2dcm failed: " + output);
        }
        Files.delete(pixels);
        Files.delete(dump);
        return out;
    }

    static List<Path> ctObjects(Path dir, int count) throws IOException, InterruptedException {
        List<Path> files = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            files.add(ctObject(dir, STUDY + ".1." + i, 4096));
        }
        return files;
    }

    /** DCMTK storescp as the PACS, on {@code port}; stopped by its own pid. */
    static final class StoreScp implements AutoCloseable {
        final Process process;
        final Path dir;

        StoreScp(Path dir, int port) throws IOException, InterruptedException {
            this.dir = Files.createDirectories(dir);
            ProcessBuilder pb = new ProcessBuilder("storescp", "--output-directory", dir.toString(), "-aet", "PACS",
                    String.valueOf(port)).redirectErrorStream(true).redirectOutput(dir.resolveSibling(
                            dir.getFileName() + ".log").toFile());
            pb.environment().put("TCP_NODELAY", "1");
            process = pb.start();
            awaitListening(port, Duration.ofSeconds(20));
        }

        long fileCount() {
            try (var files = Files.list(dir)) {
                return files.filter(f -> f.getFileName().toString().startsWith("CT.")).count();
            } catch (IOException e) {
                return -1;
            }
        }

        boolean has(String instance) {
            return Files.exists(dir.resolve("CT." + instance));
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
