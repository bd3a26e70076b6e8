package dev.harmony.dicom;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs DCMTK tools for tests, with TCP_NODELAY=1 and a bounded wait; fails clearly if one is missing. */
public final class Dcmtk {
    private Dcmtk() {
    }

    /** What a finished tool printed and returned. */
    public record Result(int exitCode, String output) {
    }

    /** The absolute path of {@code tool}, or an AssertionError telling how to install it. */
    public static String require(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new AssertionError(tool + " is not installed: apt-get install -y dcmtk orthanc (see .ci/run)");
    }

    public static Result run(Duration timeout, String tool, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(require(tool));
        command.addAll(List.of(args));
        return run(command, timeout);
    }

    public static Result run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("TCP_NODELAY", "1");
        Path log = Files.createTempFile("dcmtk", ".log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(command.get(0) + " did not finish within " + timeout);
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** A port that was free a moment ago (the OS picks it). */
    public static int freePort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Waits until something accepts TCP connections on 127.0.0.1:{@code port}, or fails after {@code timeout}. */
    public static void awaitListening(int port, Duration timeout, Process owner) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (owner != null && !owner.isAlive()) {
                throw new AssertionError("process exited with " + owner.exitValue() + " before listening on " + port);
            }
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(20); // polling interval of a bounded wait, not synchronisation
            }
        }
        throw new AssertionError("nothing listens on port " + port + " after " + timeout);
    }

    /** Polls {@code condition} until true or fails after {@code timeout}. */
    public static void await(Duration timeout, String what, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(20); // polling interval of a bounded wait
        }
    }

    /** Starts a long-running tool (e.g. storescp); the caller destroys it. */
    public static Process start(Path log, String tool, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(require(tool));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("TCP_NODELAY", "1");
        return pb.start();
    }

    /**
     * Writes a small CT object with {@code dump2dcm}: 16-bit pixels, a nested sequence before the study UID
     * (so parsers must skip it), explicit lengths (what storescu sends, so the bytes can be compared),
     * explicit VR little endian unless {@code xferOption} says otherwise.
     */
    public static Path ctObject(Path dir, String study, String series, String instance, int pixelBytes,
            String... dump2dcmOptions) throws IOException, InterruptedException {
        Path pixels = dir.resolve("px-" + instance + ".raw");
        byte[] data = new byte[pixelBytes];
        new java.util.Random(instance.hashCode()).nextBytes(data);
        Files.write(pixels, data);
        Path dump = dir.resolve("obj-" + instance + ".txt");
        Files.writeString(dump, String.join("\n",
                "(0008,0016) UI =CTImageStorage",
                "(0008,0018) UI [" + instance + "]",
                "(0008,0060) CS [CT]",
                "(0008,1140) SQ (Sequence with undefined length #=1)",
                "  (fffe,e000) na (Item with undefined length #=2)",
                "    (0008,1150) UI =CTImageStorage",
                "    (0008,1155) UI [1.2.826.0.1.3680043.2.1]",
                "  (fffe,e00d) na (ItemDelimitationItem)",
                "(fffe,e0dd) na (SequenceDelimitationItem)",
                "(0010,0010) PN [Doe^John]",
                "(0010,0020) LO [PID-" + instance.hashCode() + "]",
                "(0020,000d) UI [" + study + "]",
                "(0020,000e) UI [" + series + "]",
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
        List<String> command = new ArrayList<>(List.of(require("dump2dcm")));
        for (String option : dump2dcmOptions) {
            if (option != null) {
                command.add(option);
            }
        }
        command.addAll(List.of(dump.toString(), out.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("dump2dcm failed: " + output);
        }
        Files.delete(pixels);
        Files.delete(dump);
        return out;
    }
}
