package dev.harmony.examples.bench;


import dev.harmony.fhir.backend.FhirClient;
import dev.harmony.fhir.backend.Retry;
import dev.harmony.http.frontend.HttpIngress;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.queue.DeliveryQueue;
import dev.harmony.queue.DestinationStatus;
import dev.harmony.queue.QueueAdmin;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.harmony.examples.bench.BenchTools.awaitListening;
import static dev.harmony.examples.bench.BenchTools.deleteTree;
import static dev.harmony.examples.bench.BenchTools.freePort;
import static dev.harmony.examples.bench.BenchTools.start;
import static dev.harmony.examples.bench.BenchTools.tool;

/**
 * Durable queued C-STORE: DCMTK {@code storescu} (TCP_NODELAY=1) sends the same corpus to (a) DCMTK
 * {@code storescp}, which never syncs, and (b) the runner's {@code dicom-scp --forward-to} in its own JVM
 * (Part-10 files with fsync, then the durable journal queue with fsync, delivering to a second storescp
 * as its PACS), interleaved in the same run. Prints the accept time of both, the ratio, the drain time of
 * the queue, the fsync/fdatasync calls per object of the runner JVM (counted by {@code strace -f -c}, a
 * separate pass), and 2 KB FHIR Bundles queued per second through HttpIngress -> DeliveryQueue.
 *
 * <pre>
 * java -cp harmony-examples/target/harmony-examples.jar dev.harmony.examples.bench.QueueBenchmark \
 *      [--objects 200] [--rounds 5] [--warmup 2] [--bundles 2000] [--clients 8] [--strace 1]
 * </pre>
 */
public final class QueueBenchmark {
    private int objects = 200;
    private int rounds = 5;
    private int warmup = 2;
    private int bundles = 2000;
    private int clients = 8;
    private boolean strace = true;

    private QueueBenchmark() {
    }

    public static void main(String[] argv) throws Exception {
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        QueueBenchmark b = new QueueBenchmark();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            int v = Integer.parseInt(argv[i + 1]);
            switch (argv[i]) {
                case "--objects" -> b.objects = v;
                case "--rounds" -> b.rounds = v;
                case "--warmup" -> b.warmup = v;
                case "--bundles" -> b.bundles = v;
                case "--clients" -> b.clients = v;
                case "--strace" -> b.strace = v != 0;
                default -> throw new IllegalArgumentException("unknown option " + argv[i]);
            }
        }
        b.run();
    }

    private void run() throws Exception {
        String storescu = tool("storescu");
        String storescp = tool("storescp");
        Path work = Files.createTempDirectory("harmony-queue-bench");
        try {
            System.out.printf("machine: %d cores, %s, Java %s%n", Runtime.getRuntime().availableProcessors(),
                    System.getProperty("os.name") + " " + System.getProperty("os.arch"), System.getProperty("java.version"));
            Path corpus = work.resolve("corpus");
            DicomCorpus.write(corpus, objects, 1);
            long bytes = objects * (long) DicomCorpus.FRAME_BYTES;
            System.out.printf("%d objects of %d KB; storescu with TCP_NODELAY=1; %d warm-up rounds, median of %d%n%n",
                    objects, DicomCorpus.FRAME_BYTES / 1024, warmup, rounds);

            int pacsPort = freePort();
            Path pacsOut = Files.createDirectories(work.resolve("pacs"));
            Process pacs = start(List.of(storescp, "--output-directory", pacsOut.toString(), "-aet", "PACS",
                    String.valueOf(pacsPort)), work.resolve("pacs.log"));
            Runner runner = null;
            try {
                awaitListening(pacsPort, pacs);
                Path dir = work.resolve("harmony");
                runner = Runner.start(List.of(), dir, pacsPort, work.resolve("runner.log"));
                long sent = 0;
                for (int i = 0; i < warmup; i++) {
                    send(storescu, "HARMONY", runner.port, corpus);
                    sent += objects;
                    awaitDrained(dir, sent);
                }
                double[] dcmtk = new double[rounds];
                double[] ours = new double[rounds];
                double[] drain = new double[rounds];
                for (int r = 0; r < rounds; r++) {
                    settleDisk();
                    dcmtk[r] = viaStorescp(storescp, storescu, corpus, work);
                    settleDisk();
                    long t0 = System.nanoTime();
                    ours[r] = send(storescu, "HARMONY", runner.port, corpus);
                    sent += objects;
                    awaitDrained(dir, sent);
                    drain[r] = (System.nanoTime() - t0) / 1e9;
                }
                double d = median(dcmtk);
                double o = median(ours);
                System.out.printf("%-44s %10s %10s %10s%n", "receiver", "seconds", "objects/s", "MB/s");
                row("DCMTK storescp (no fsync)", d, objects, bytes);
                row("dicom-scp --forward-to, queued (fsync)", o, objects, bytes);
                System.out.printf(Locale.ROOT, "ratio queued-durable/DCMTK (throughput): %.2f (target >= 0.8)%n", d / o);
                System.out.printf(Locale.ROOT, "accepted and delivered to the PACS (storescp): median %.3f s for %d"
                        + " objects (%.1f objects/s end to end)%n%n", median(drain), objects, objects / median(drain));
                runner.stop();
                runner = null;

                if (strace && Files.isExecutable(Path.of("/usr/bin/strace"))) {
                    Path dir2 = work.resolve("harmony-strace");
                    Path summary = work.resolve("strace.txt");
                    runner = Runner.start(List.of("/usr/bin/strace", "-f", "-c", "-e", "trace=fsync,fdatasync", "-o",
                            summary.toString()), dir2, pacsPort, work.resolve("runner-strace.log"));
                    send(storescu, "HARMONY", runner.port, corpus);
                    awaitDrained(dir2, objects);
                    runner.stop();
                    runner = null;
                    long calls = syncCalls(summary);
                    System.out.printf(Locale.ROOT, "fsync+fdatasync calls of the runner JVM (strace -f -c): %d for %d"
                            + " objects = %.1f per object (accept: file store + journal; delivery: state changes)%n%n",
                            calls, objects, calls / (double) objects);
                }
            } finally {
                if (runner != null) {
                    runner.stop();
                }
                pacs.destroy();
                pacs.waitFor(10, TimeUnit.SECONDS);
            }
            bundles(work);
        } finally {
            deleteTree(work);
        }
    }

    /** 2 KB Bundles POSTed by {@code clients} threads into HttpIngress -> DeliveryQueue (journal, fsync). */
    private void bundles(Path work) throws Exception {
        if (bundles <= 0) {
            return;
        }
        URI nowhere = URI.create("http://127.0.0.1:" + freePort() + "/fhir"); // the store is down: all stays queued
        DeliveryQueue queue = DeliveryQueue.journal(work.resolve("fhir-queue"))
                .deliverTo("fhir", FhirClient.to(nowhere).asTransaction().retry(Retry.none()).build())
                .minFreeBytes(0).backoff(Duration.ofMinutes(5), Duration.ofMinutes(5)).build();
        HttpIngress ingress = HttpIngress.port(0).bind("127.0.0.1").build();
        String bundle = bundle2k();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (Pipeline p = Pipeline.builder().name("bench-fhir").frontend(ingress).backend(queue).build()) {
            p.start();
            URI target = URI.create("http://127.0.0.1:" + ingress.port() + "/fhir");
            post(http, target, bundle, Math.min(200, bundles)); // warm-up
            long t0 = System.nanoTime();
            AtomicInteger left = new AtomicInteger(bundles);
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            List<Future<Integer>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                done.add(pool.submit(() -> {
                    int n = 0;
                    while (left.getAndDecrement() > 0) {
                        n += post(http, target, bundle, 1);
                    }
                    return n;
                }));
            }
            int accepted = 0;
            for (Future<Integer> f : done) {
                accepted += f.get();
            }
            pool.shutdown();
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "FHIR Bundles of %d bytes queued (202, journal with fsync), %d clients: %d in"
                    + " %.2f s = %.0f Bundles/s%n", bundle.length(), clients, accepted, s, accepted / s);
        }
    }

    private static int post(HttpClient http, URI target, String body, int times) throws Exception {
        int ok = 0;
        for (int i = 0; i < times; i++) {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(target).header("Content-Type", "application/fhir+json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() != 202) {
                throw new IllegalStateException("expected 202, got " + r.statusCode());
            }
            ok++;
        }
        return ok;
    }

    private static String bundle2k() {
        StringBuilder entries = new StringBuilder();
        int i = 0;
        while (entries.length() < 1950) {
            if (i > 0) {
                entries.append(',');
            }
            entries.append("{\"resource\":{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"urn:mrn\",\"value\":\"MRN-")
                    .append(1000 + i).append("\"}],\"name\":[{\"family\":\"Bench\",\"given\":[\"Q\"]}]},\"request\":")
                    .append("{\"method\":\"POST\",\"url\":\"Patient\"}}");
            i++;
        }
        return "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[" + entries + "]}";
    }

    private static long syncCalls(Path summary) throws IOException {
        long calls = 0;
        for (String line : Files.readAllLines(summary)) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 5 && (f[f.length - 1].equals("fsync") || f[f.length - 1].equals("fdatasync"))) {
                calls += Long.parseLong(f[3]);
            }
        }
        return calls;
    }

    private static void awaitDrained(Path dir, long delivered) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (System.nanoTime() < deadline) {
            try (QueueAdmin admin = QueueAdmin.journal(dir.resolve(".queue"))) { // a read-only snapshot each time
                long n = admin.status().stream().mapToLong(DestinationStatus::delivered).sum();
                if (n >= delivered) {
                    return;
                }
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("the queue did not deliver " + delivered + " objects in 10 minutes");
    }

    private static double viaStorescp(String storescp, String storescu, Path corpus, Path work) throws Exception {
        Path out = Files.createDirectories(work.resolve("out-dcmtk"));
        int port = freePort();
        Process scp = start(List.of(storescp, "--output-directory", out.toString(), "-aet", "PACS", String.valueOf(port)),
                work.resolve("storescp.log"));
        try {
            awaitListening(port, scp);
            return send(storescu, "PACS", port, corpus);
        } finally {
            scp.destroy();
            scp.waitFor(10, TimeUnit.SECONDS);
            deleteTree(out);
        }
    }

    private static double send(String storescu, String calledAe, int port, Path corpus) throws Exception {
        long started = System.nanoTime();
        Process p = start(List.of(storescu, "-aet", "MODALITY", "-aec", calledAe, "-R", "+sd", "127.0.0.1",
                String.valueOf(port), corpus.toString()), null);
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("storescu failed: " + output);
        }
        return (System.nanoTime() - started) / 1e9;
    }

    private static void row(String label, double seconds, int count, long bytes) {
        System.out.printf(Locale.ROOT, "%-44s %10.3f %10.1f %10.1f%n", label, seconds, count / seconds,
                bytes / 1e6 / seconds);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static void settleDisk() throws Exception {
        Process sync = new ProcessBuilder("sync").inheritIO().start();
        if (!sync.waitFor(60, TimeUnit.SECONDS) || sync.exitValue() != 0) {
            throw new IllegalStateException("sync failed or took over 60 s");
        }
    }

    /** {@code dicom-scp --forward-to} in its own JVM, optionally under a prefix such as strace. */
    private static final class Runner {
        final Process process;
        final int port;

        private Runner(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        static Runner start(List<String> prefix, Path dir, int pacsPort, Path log) throws IOException {
            List<String> cmd = new ArrayList<>(prefix);
            cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), "dev.harmony.examples.Main", "dicom-scp", "--bind", "127.0.0.1",
                    "--port", "0", "--dir", dir.toString(), "--forward-to", "PACS@127.0.0.1:" + pacsPort));
            Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
            BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.startsWith("READY dicom-scp ")) {
                    Thread drain = new Thread(() -> {
                        try {
                            lines.transferTo(Writer.nullWriter());
                        } catch (IOException ignored) {
                            // the runner stopped
                        }
                    });
                    drain.setDaemon(true);
                    drain.start();
                    return new Runner(p, Integer.parseInt(line.substring(16).trim()));
                }
            }
            throw new IllegalStateException("dicom-scp did not print READY; see " + log);
        }

        /** SIGTERM to the runner JVM itself (not a prefix such as strace, which then writes its summary). */
        void stop() throws InterruptedException {
            ProcessHandle jvm = process.toHandle().descendants().filter(h -> h.info().command()
                    .map(c -> c.endsWith("/java")).orElse(false)).findFirst().orElse(process.toHandle());
            jvm.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
