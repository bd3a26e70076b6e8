package dev.harmony.dicom;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * DCMTK's dcmqrscp as a real query/retrieve peer: a config in a temp dir, files registered with
 * dcmqridx, one listener process on a free loopback port, stopped by its own pid. At most 500 studies
 * (dcmqrscp's limit per storage area).
 */
public final class DcmQrScp implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;

    private DcmQrScp(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts dcmqrscp as {@code aeTitle} serving {@code files}; {@code moveDestinations} are
     * {@code AE@host:port} entries it may send C-MOVE results to.
     */
    public static DcmQrScp start(Path work, String aeTitle, List<Path> files, String... moveDestinations)
            throws IOException, InterruptedException {
        Path db = Files.createDirectories(work.resolve("dcmqrscp-db"));
        int port = Dcmtk.freePort();
        StringBuilder hosts = new StringBuilder();
        StringBuilder peers = new StringBuilder();
        for (int i = 0; i < moveDestinations.length; i++) {
            DicomNode n = DicomNode.parse(moveDestinations[i]);
            hosts.append("dest").append(i).append(" = (").append(n.aeTitle()).append(", ").append(n.host()).append(", ")
                    .append(n.port()).append(")\n");
            peers.append(peers.length() == 0 ? "" : ", ").append("dest").append(i);
        }
        Path config = work.resolve("dcmqrscp.cfg");
        Files.writeString(config, "NetworkTCPPort = " + port + "\nMaxPDUSize = 65536\nMaxAssociations = 16\n"
                + "HostTable BEGIN\n" + hosts + (peers.length() == 0 ? "" : "known = " + peers + "\n")
                + "HostTable END\nVendorTable BEGIN\nVendorTable END\n"
                + "AETable BEGIN\n" + aeTitle + " " + db + " RW (500, 1024mb) ANY\nAETable END\n");
        // dcmqridx registers the files; dcmqrscp then serves them from the index in db
        for (int from = 0; from < files.size(); from += 500) {
            List<String> cmd = new ArrayList<>(List.of(Dcmtk.require("dcmqridx"), db.toString()));
            files.subList(from, Math.min(files.size(), from + 500)).forEach(f -> cmd.add(f.toString()));
            Dcmtk.Result r = Dcmtk.run(cmd, Duration.ofSeconds(300));
            if (r.exitCode() != 0) {
                throw new AssertionError("dcmqridx failed: " + r.output());
            }
        }
        Path log = work.resolve("dcmqrscp.log");
        // Not --single-process: dcmqrscp 3.6.7 crashes (SIGSEGV) after a C-FIND in that mode. It forks one child per
        // association, which ends with its association; stopping the parent ends the listener.
        Process p = Dcmtk.start(log, "dcmqrscp", "-c", config.toString());
        DcmQrScp q = new DcmQrScp(p, port, log);
        try {
            Dcmtk.awaitListening(port, Duration.ofSeconds(30), p);
        } catch (AssertionError e) {
            q.close();
            throw new AssertionError(e.getMessage() + "\n" + Files.readString(log), e);
        }
        return q;
    }

    public int port() {
        return port;
    }

    /** What it logged so far. */
    public String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
