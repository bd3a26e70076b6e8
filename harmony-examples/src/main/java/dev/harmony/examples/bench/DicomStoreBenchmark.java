package dev.harmony.examples.bench;


import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.TransferSyntax;
import dev.harmony.dicom.Uids;
import dev.harmony.dicom.backend.DicomFileStore;
import dev.harmony.dicom.frontend.DicomScp;
import dev.harmony.dicom.middleware.AeTitleCheck;
import dev.harmony.dicom.scu.DicomClient;
import dev.harmony.dicom.scu.Proposal;
import dev.harmony.dicom.scu.ScuAssociation;
import dev.harmony.pipeline.Pipeline;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.harmony.examples.bench.BenchTools.awaitListening;
import static dev.harmony.examples.bench.BenchTools.deleteTree;
import static dev.harmony.examples.bench.BenchTools.freePort;
import static dev.harmony.examples.bench.BenchTools.start;
import static dev.harmony.examples.bench.BenchTools.tool;

/**
 * C-STORE throughput: DCMTK {@code storescu} (TCP_NODELAY=1) sends the same corpus to (a) DCMTK
 * {@code storescp} and (b) Harmony's DicomScp + AeTitleCheck + DicomFileStore, in the same run, with
 * the same max PDU. Prints objects/s, MB/s and the ratio ours/DCMTK (median of the rounds), then
 * stores one big object through a forked {@code dicom-scp} JVM with {@code -Xmx128m}.
 *
 * <pre>
 * java -cp harmony-examples/target/harmony-examples.jar dev.harmony.examples.bench.DicomStoreBenchmark \
 *      [--small 200] [--large 20] [--large-mb 50] [--rounds 5] [--warmup 10] [--max-pdu 131072] [--big-mb 1024]
 * </pre>
 */
public final class DicomStoreBenchmark {
    private int small = 200;
    private int large = 20;
    private int largeMb = 50;
    private int rounds = 5;
    private int warmup = 10;
    private int maxPdu = 131072;
    private int bigMb = 1024;

    private DicomStoreBenchmark() {
    }

    public static void main(String[] argv) throws Exception {
        // Per-association log lines would dominate the output; warnings still show.
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        DicomStoreBenchmark b = new DicomStoreBenchmark();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            int v = Integer.parseInt(argv[i + 1]);
            switch (argv[i]) {
                case "--small" -> b.small = v;
                case "--large" -> b.large = v;
                case "--large-mb" -> b.largeMb = v;
                case "--rounds" -> b.rounds = v;
                case "--warmup" -> b.warmup = v;
                case "--max-pdu" -> b.maxPdu = v;
                case "--big-mb" -> b.bigMb = v;
                default -> throw new IllegalArgumentException("unknown option " + argv[i]);
            }
        }
        b.run();
    }

    private void run() throws Exception {
        String storescu = tool("storescu");
        String storescp = tool("storescp");
        Path work = Files.createTempDirectory("harmony-dicom-bench");
        try {
            System.out.printf("machine: %d cores, %s, Java %s%n", Runtime.getRuntime().availableProcessors(),
                    System.getProperty("os.name") + " " + System.getProperty("os.arch"), System.getProperty("java.version"));
            System.out.printf("max PDU %d for both receivers; storescu with TCP_NODELAY=1; %d warm-up rounds, median of"
                    + " %d rounds%n%n", maxPdu, warmup, rounds);
            List<Corpus> corpora = new java.util.ArrayList<>();
            if (small > 0) {
                corpora.add(corpus(work.resolve("small"), small, 1));
            }
            if (large > 0) {
                corpora.add(corpus(work.resolve("large"), large, Math.max(1, largeMb * 1024 * 1024 / DicomCorpus.FRAME_BYTES)));
            }
            System.out.printf("%-28s %-26s %10s %10s %10s %10s%n", "corpus", "receiver", "seconds", "objects/s", "MB/s",
                    "recv CPU s");
            double[] totals = new double[3]; // storescp, Harmony with fsync, Harmony without: medians summed
            for (Corpus c : corpora) {
                Sample[] medians = interleaved(List.of(
                        () -> viaStorescp(storescu, storescp, c, work),
                        () -> viaHarmony(storescu, c, work, true),
                        () -> viaHarmony(storescu, c, work, false)));
                print(c, "DCMTK storescp (no fsync)", medians[0]);
                print(c, "Harmony (fsync, default)", medians[1]);
                print(c, "Harmony (fsync off)", medians[2]);
                System.out.printf(Locale.ROOT, "%-28s ratio ours/DCMTK (throughput): %.2f with fsync, %.2f without "
                        + "(= DCMTK's durability); receiver CPU ratio DCMTK/ours without fsync: %.2f%n%n", c.label,
                        medians[0].seconds() / medians[1].seconds(), medians[0].seconds() / medians[2].seconds(),
                        medians[0].cpuSeconds() / medians[2].cpuSeconds());
                for (int i = 0; i < 3; i++) {
                    totals[i] += medians[i].seconds();
                }
            }
            if (corpora.size() > 1) {
                System.out.printf(Locale.ROOT, "%-28s ratio ours/DCMTK (throughput): %.2f with fsync, %.2f without%n%n",
                        "whole corpus", totals[0] / totals[1], totals[0] / totals[2]);
            }
            if (bigMb > 0) {
                bigObject(work);
            }
        } finally {
            deleteTree(work);
        }
    }

    private record Corpus(String label, Path dir, int count, long bytes) {
    }

    /** One measured run: wall time of the whole transfer and CPU time spent by the receiver alone. */
    private record Sample(double seconds, double cpuSeconds) {
    }

    @FunctionalInterface
    private interface Run {
        Sample measure() throws Exception;
    }

    private Corpus corpus(Path dir, int count, int frames) throws IOException {
        List<Path> files = DicomCorpus.write(dir, count, frames);
        long bytes = 0;
        for (Path f : files) {
            bytes += Files.size(f);
        }
        return new Corpus(count + " x " + (bytes / count / 1024) + " KB", dir, count, bytes);
    }

    /** Runs the receivers in turn, round after round, so background load hits them alike; medians per receiver. */
    private Sample[] interleaved(List<Run> runs) throws Exception {
        for (int i = 0; i < warmup; i++) {
            for (Run r : runs) {
                r.measure(); // warm-up: a router runs for days, so measure the JIT-compiled steady state
            }
        }
        double[][] times = new double[runs.size()][rounds];
        double[][] cpu = new double[runs.size()][rounds];
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < runs.size(); i++) {
                settleDisk();
                Sample sample = runs.get(i).measure();
                times[i][round] = sample.seconds();
                cpu[i][round] = sample.cpuSeconds();
            }
        }
        Sample[] medians = new Sample[runs.size()];
        for (int i = 0; i < runs.size(); i++) {
            Arrays.sort(times[i]);
            Arrays.sort(cpu[i]);
            medians[i] = new Sample(times[i][rounds / 2], cpu[i][rounds / 2]);
        }
        return medians;
    }

    /**
     * Writes back every dirty page before a receiver's turn, so no receiver pays for the previous one's
     * writes (storescp leaves ~100 MB unsynced, which an fsyncing receiver right after it would flush).
     */
    private static void settleDisk() throws Exception {
        Process sync = new ProcessBuilder("sync").inheritIO().start();
        if (!sync.waitFor(60, TimeUnit.SECONDS) || sync.exitValue() != 0) {
            throw new IllegalStateException("sync failed or took over 60 s");
        }
    }

    private static void print(Corpus c, String receiver, Sample s) {
        System.out.printf(Locale.ROOT, "%-28s %-26s %10.3f %10.1f %10.1f %10.3f%n", c.label, receiver, s.seconds(),
                c.count / s.seconds(), c.bytes / 1e6 / s.seconds(), s.cpuSeconds());
    }

    private Sample viaStorescp(String storescu, String storescp, Corpus c, Path work) throws Exception {
        Path out = Files.createDirectories(work.resolve("out-dcmtk"));
        int port = freePort();
        Process scp = start(List.of(storescp, "--output-directory", out.toString(), "-aet", "PACS", "--max-pdu",
                String.valueOf(maxPdu), String.valueOf(port)), work.resolve("storescp.log"));
        try {
            awaitListening(port, scp);
            double cpuBefore = processCpuSeconds(scp.pid());
            double seconds = send(storescu, "PACS", port, c);
            double cpu = processCpuSeconds(scp.pid()) - cpuBefore;
            check(out, c);
            return new Sample(seconds, cpu);
        } finally {
            scp.destroy();
            scp.waitFor(10, TimeUnit.SECONDS);
            deleteTree(out);
        }
    }

    private Sample viaHarmony(String storescu, Corpus c, Path work, boolean fsync) throws Exception {
        Path out = work.resolve("out-harmony");
        DicomScp scp = DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("HARMONY").maxPduLength(maxPdu).build();
        try (Pipeline p = Pipeline.builder().name("bench").frontend(scp).use(AeTitleCheck.allow("MODALITY").build())
                .backend(DicomFileStore.under(out).fsync(fsync).build()).build()) {
            p.start();
            double cpuBefore = ownCpuSeconds();
            double seconds = send(storescu, "HARMONY", scp.localPort(), c);
            double cpu = ownCpuSeconds() - cpuBefore; // this JVM only waits for storescu meanwhile
            check(out, c);
            return new Sample(seconds, cpu);
        } finally {
            deleteTree(out);
        }
    }

    private static double send(String storescu, String calledAe, int port, Corpus c) throws Exception {
        long started = System.nanoTime();
        Process p = start(List.of(storescu, "-aet", "MODALITY", "-aec", calledAe, "-R", "+sd", "127.0.0.1",
                String.valueOf(port), c.dir.toString()), null);
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("storescu failed: " + output);
        }
        return (System.nanoTime() - started) / 1e9;
    }

    /** User + system CPU of another process, from /proc (Linux). */
    private static double processCpuSeconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0; // utime, stime in USER_HZ (100)
    }

    private static double ownCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }

    private static void check(Path out, Corpus c) throws IOException {
        try (Stream<Path> files = Files.walk(out)) {
            long n = files.filter(Files::isRegularFile).count();
            if (n != c.count) {
                throw new IllegalStateException("expected " + c.count + " files in " + out + ", found " + n);
            }
        }
    }

    /** One object of {@code bigMb} MB through {@code dicom-scp} running with -Xmx128m in its own JVM. */
    private void bigObject(Path work) throws Exception {
        Path dir = work.resolve("big");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process scp = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                "dev.harmony.examples.Main", "dicom-scp", "--bind", "127.0.0.1", "--port", "0", "--dir", dir.toString(),
                "--allow-calling-ae", "BENCH").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(scp.getInputStream(), StandardCharsets.UTF_8));
            int port = -1;
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.startsWith("READY dicom-scp ")) {
                    port = Integer.parseInt(line.substring(16).trim());
                    break;
                }
            }
            if (port < 0) {
                throw new IllegalStateException("dicom-scp did not print READY");
            }
            int frames = (int) ((long) bigMb * 1024 * 1024 / DicomCorpus.FRAME_BYTES);
            String study = Uids.random();
            String series = Uids.random();
            String instance = Uids.random();
            long length = DicomCorpus.datasetLength(study, series, instance, frames);
            long started = System.nanoTime();
            int status;
            try (ScuAssociation a = DicomClient.callingAe("BENCH").build().open(
                    DicomNode.of("HARMONY", "127.0.0.1", port),
                    List.of(Proposal.of(Uids.CT_IMAGE_STORAGE, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN)));
                    InputStream data = DicomCorpus.dataset(study, series, instance, frames)) {
                status = a.store(Uids.CT_IMAGE_STORAGE, instance, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid(), data);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            Path stored = dir.resolve(study).resolve(series).resolve(instance + ".dcm");
            long size = Files.exists(stored) ? Files.size(stored) : -1;
            System.out.printf(Locale.ROOT, "big object: %d MB data set through dicom-scp -Xmx128m: status %04X, stored %s"
                    + " (%d bytes, data set %d bytes), %.1f s, %.0f MB/s%n", bigMb, status,
                    size > length ? "OK" : "MISSING", size, length, seconds, length / 1e6 / seconds);
        } finally {
            scp.destroy();
            scp.waitFor(20, TimeUnit.SECONDS);
        }
    }
}
