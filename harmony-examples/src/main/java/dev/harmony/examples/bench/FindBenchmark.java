package dev.harmony.examples.bench;

import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.TransferSyntax;
import dev.harmony.dicom.backend.DicomFileStore;
import dev.harmony.dicom.frontend.DicomScp;
import dev.harmony.dicom.internal.file.FileMeta;
import dev.harmony.dicom.query.Dataset;
import dev.harmony.dicom.query.DicomQuery;
import dev.harmony.dicom.query.QueryKeys;
import dev.harmony.dicom.query.QueryLevel;
import dev.harmony.dicom.query.QueryModel;
import dev.harmony.dicom.scu.DicomClient;
import dev.harmony.dicom.scu.ScuAssociation;
import dev.harmony.pipeline.Pipeline;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.IntFunction;

import static dev.harmony.examples.bench.BenchTools.awaitListening;
import static dev.harmony.examples.bench.BenchTools.deleteTree;
import static dev.harmony.examples.bench.BenchTools.freePort;
import static dev.harmony.examples.bench.BenchTools.start;
import static dev.harmony.examples.bench.BenchTools.tool;

/**
 * C-FIND queries per second at STUDY and IMAGE level over the same index of {@code --instances}
 * objects (100 instances per study: 4 series of 25), answered by (a) DCMTK {@code dcmqrscp} (files
 * registered with {@code dcmqridx}) and (b) Harmony's DicomScp + DicomFileStore with its embedded index
 * (built with {@code reindex} from the same files), in the same run. The SCU is our DicomClient for both,
 * one association per round, one query outstanding. STUDY: Study Root, PatientID = one patient (one
 * match); IMAGE: Study and Series UID given, every SOP Instance UID (25 matches). Prints queries/s and
 * the ratio ours/DCMTK (median of the rounds).
 *
 * <pre>
 * java -cp harmony-examples/target/harmony-examples.jar dev.harmony.examples.bench.FindBenchmark \
 *      [--instances 10000] [--queries 400] [--rounds 5] [--warmup 200]
 * </pre>
 */
public final class FindBenchmark {
    private static final String ROOT = "1.2.826.0.1.3680043.9.8888";
    private static final String CT = "1.2.840.10008.5.1.4.1.1.2";
    private int instances = 10_000;
    private int queries = 400;
    private int rounds = 5;
    private int warmup = 200;

    private FindBenchmark() {
    }

    public static void main(String[] argv) throws Exception {
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        FindBenchmark b = new FindBenchmark();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            int v = Integer.parseInt(argv[i + 1]);
            switch (argv[i]) {
                case "--instances" -> b.instances = v;
                case "--queries" -> b.queries = v;
                case "--rounds" -> b.rounds = v;
                case "--warmup" -> b.warmup = v;
                default -> throw new IllegalArgumentException("unknown option " + argv[i]);
            }
        }
        b.run();
    }

    private void run() throws Exception {
        int studies = Math.max(1, instances / 100);
        if (studies > 500) {
            throw new IllegalArgumentException("dcmqrscp holds at most 500 studies per storage area: --instances <= 50000");
        }
        Path work = Files.createTempDirectory("harmony-find-bench");
        Process dcmqrscp = null;
        Pipeline ours = null;
        try {
            Path corpus = Files.createDirectories(work.resolve("store").resolve("corpus"));
            long t0 = System.nanoTime();
            List<Path> files = write(corpus, studies);
            System.out.printf(Locale.ROOT, "machine: %d cores, %s, Java %s%n", Runtime.getRuntime().availableProcessors(),
                    System.getProperty("os.name"), System.getProperty("java.version"));
            System.out.printf(Locale.ROOT, "corpus: %d instances, %d studies (%d patients), written in %.1f s%n",
                    files.size(), studies, studies, (System.nanoTime() - t0) / 1e9);

            // DCMTK: register the files, then one dcmqrscp listener (it forks per association)
            Path db = Files.createDirectories(work.resolve("dcmqrscp-db"));
            t0 = System.nanoTime();
            for (int from = 0; from < files.size(); from += 500) {
                List<String> cmd = new ArrayList<>(List.of(tool("dcmqridx"), db.toString()));
                files.subList(from, Math.min(files.size(), from + 500)).forEach(f -> cmd.add(f.toString()));
                Process p = start(cmd, work.resolve("dcmqridx.log"));
                if (p.waitFor() != 0) {
                    throw new IllegalStateException("dcmqridx failed; see " + work.resolve("dcmqridx.log"));
                }
            }
            double dcmqridxSeconds = (System.nanoTime() - t0) / 1e9;
            int qrPort = freePort();
            Path config = work.resolve("dcmqrscp.cfg");
            Files.writeString(config, "NetworkTCPPort = " + qrPort + "\nMaxPDUSize = 65536\nMaxAssociations = 16\n"
                    + "HostTable BEGIN\nHostTable END\nVendorTable BEGIN\nVendorTable END\n"
                    + "AETable BEGIN\nQRSCP " + db + " RW (500, 1024mb) ANY\nAETable END\n");
            dcmqrscp = start(List.of(tool("dcmqrscp"), "-c", config.toString()), work.resolve("dcmqrscp.log"));
            awaitListening(qrPort, dcmqrscp);

            DicomScp scp = DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("HARMONY").build();
            DicomFileStore store = DicomFileStore.under(work.resolve("store")).indexed().build();
            ours = Pipeline.builder().name("find-bench").frontend(scp).backend(store).build();
            ours.start(); // a new index over existing files is built at start
            t0 = System.nanoTime();
            int indexed = store.reindex();
            System.out.printf(Locale.ROOT, "indexing: dcmqridx %.1f s; Harmony reindex %.1f s (%d instances)%n%n",
                    dcmqridxSeconds, (System.nanoTime() - t0) / 1e9, indexed);

            DicomNode theirs = DicomNode.of("QRSCP", "127.0.0.1", qrPort);
            DicomNode mine = DicomNode.of("HARMONY", "127.0.0.1", scp.localPort());
            System.out.printf(Locale.ROOT, "%-8s %-22s %12s %10s%n", "level", "SCP", "queries/s", "matches");
            Random random = new Random(42);
            for (QueryLevel level : List.of(QueryLevel.STUDY, QueryLevel.IMAGE)) {
                IntFunction<DicomQuery> query = i -> query(level, random.nextInt(studies));
                double[] q = new double[2];
                long[] matches = new long[2];
                double[][] samples = new double[2][rounds];
                measure(theirs, query, warmup, new long[1]); // warm both up (JIT, caches) before measuring
                measure(mine, query, warmup, new long[1]);
                for (int r = 0; r < rounds; r++) { // interleaved, so background load hits both alike
                    samples[0][r] = measure(theirs, query, queries, matches);
                    long[] ourMatches = new long[1];
                    samples[1][r] = measure(mine, query, queries, ourMatches);
                    matches[1] = ourMatches[0];
                }
                for (int s = 0; s < 2; s++) {
                    Arrays.sort(samples[s]);
                    q[s] = samples[s][rounds / 2];
                }
                System.out.printf(Locale.ROOT, "%-8s %-22s %12.0f %10d%n", level, "DCMTK dcmqrscp", q[0],
                        matches[0] / queries);
                System.out.printf(Locale.ROOT, "%-8s %-22s %12.0f %10d%n", level, "Harmony (H2 index)", q[1],
                        matches[1] / queries);
                System.out.printf(Locale.ROOT, "%-8s ratio ours/DCMTK: %.2f%n%n", level, q[1] / q[0]);
            }
        } finally {
            if (ours != null) {
                ours.close();
            }
            if (dcmqrscp != null) {
                dcmqrscp.destroy();
                dcmqrscp.waitFor();
            }
            deleteTree(work);
        }
    }

    /** Queries per second for {@code n} queries on one association; adds the matches of the last round to {@code matches}. */
    private static double measure(DicomNode node, IntFunction<DicomQuery> query, int n, long[] matches)
            throws IOException {
        DicomClient client = DicomClient.callingAe("BENCH").build();
        long found = 0;
        long t0 = System.nanoTime();
        try (ScuAssociation a = client.open(node, List.of(DicomClient.findProposal(QueryModel.STUDY_ROOT)))) {
            for (int i = 0; i < n; i++) {
                long[] count = new long[1];
                int status = a.find(query.apply(i), m -> ++count[0] > 0);
                if (status != 0) {
                    throw new IllegalStateException(node + " answered C-FIND with " + Integer.toHexString(status));
                }
                found += count[0];
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        matches[0] = found;
        return n / seconds;
    }

    private static DicomQuery query(QueryLevel level, int study) {
        Dataset keys = new Dataset();
        if (level == QueryLevel.STUDY) {
            keys.set(QueryKeys.PATIENT_ID, "PID" + study).set(QueryKeys.STUDY_INSTANCE_UID, "")
                    .set(QueryKeys.PATIENT_NAME, "").set(QueryKeys.STUDY_DATE, "").set(QueryKeys.ACCESSION_NUMBER, "")
                    .set(QueryKeys.STUDY_DESCRIPTION, "");
        } else {
            keys.set(QueryKeys.STUDY_INSTANCE_UID, ROOT + "." + study)
                    .set(QueryKeys.SERIES_INSTANCE_UID, ROOT + "." + study + "." + (1 + study % 4))
                    .set(QueryKeys.SOP_INSTANCE_UID, "").set(QueryKeys.INSTANCE_NUMBER, "");
        }
        return DicomQuery.of(QueryModel.STUDY_ROOT, level, keys);
    }

    /** {@code studies} studies of one patient each, 4 series of 25 CT instances, no pixel data. */
    private static List<Path> write(Path dir, int studies) throws IOException {
        List<Path> files = new ArrayList<>();
        for (int s = 0; s < studies; s++) {
            for (int series = 1; series <= 4; series++) {
                for (int i = 1; i <= 25; i++) {
                    String sop = ROOT + "." + s + "." + series + "." + i;
                    Dataset d = new Dataset()
                            .set(QueryKeys.SPECIFIC_CHARACTER_SET, "ISO_IR 100")
                            .set(QueryKeys.SOP_CLASS_UID, CT).set(QueryKeys.SOP_INSTANCE_UID, sop)
                            .set(QueryKeys.STUDY_DATE, String.format("2024%02d%02d", 1 + s % 12, 1 + s % 28))
                            .set(QueryKeys.STUDY_TIME, "101500").set(QueryKeys.ACCESSION_NUMBER, "ACC" + s)
                            .set(QueryKeys.MODALITY, "CT").set(QueryKeys.STUDY_DESCRIPTION, "CT STUDY " + s)
                            .set(QueryKeys.PATIENT_NAME, "Patient^" + s).set(QueryKeys.PATIENT_ID, "PID" + s)
                            .set(QueryKeys.PATIENT_BIRTH_DATE, "19700101").set(QueryKeys.PATIENT_SEX, "O")
                            .set(QueryKeys.STUDY_INSTANCE_UID, ROOT + "." + s)
                            .set(QueryKeys.SERIES_INSTANCE_UID, ROOT + "." + s + "." + series)
                            .set(QueryKeys.STUDY_ID, Integer.toString(s)).set(QueryKeys.SERIES_NUMBER, Integer.toString(series))
                            .set(QueryKeys.INSTANCE_NUMBER, Integer.toString(i));
                    Path file = dir.resolve(sop + ".dcm");
                    byte[] meta = new FileMeta(CT, sop, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid(), null).encode();
                    byte[] body = d.encode(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
                    byte[] all = Arrays.copyOf(meta, meta.length + body.length);
                    System.arraycopy(body, 0, all, meta.length, body.length);
                    Files.write(file, all);
                    files.add(file);
                }
            }
        }
        return files;
    }
}
