package dev.harmony.examples.bench;

import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.TransferSyntax;
import dev.harmony.dicom.backend.DicomFileStore;
import dev.harmony.dicom.frontend.DicomScp;
import dev.harmony.dicom.internal.file.FileMeta;
import dev.harmony.dicom.query.Dataset;
import dev.harmony.dicom.query.DicomIndex;
import dev.harmony.dicom.query.DicomQuery;
import dev.harmony.dicom.query.QueryKeys;
import dev.harmony.dicom.query.QueryLevel;
import dev.harmony.dicom.query.QueryModel;
import dev.harmony.dicom.scu.DicomClient;
import dev.harmony.dicom.scu.ScuAssociation;
import dev.harmony.pipeline.Pipeline;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Random;
import java.util.function.Predicate;

import static dev.harmony.examples.bench.BenchTools.awaitListening;
import static dev.harmony.examples.bench.BenchTools.deleteTree;
import static dev.harmony.examples.bench.BenchTools.freePort;
import static dev.harmony.examples.bench.BenchTools.start;
import static dev.harmony.examples.bench.BenchTools.tool;

/**
 * C-FIND queries per second at STUDY and IMAGE level over the same {@code --instances} files
 * (100 instances per study: 4 series of 25), answered by (a) DCMTK {@code dcmqrscp} (files registered
 * with {@code dcmqridx}) and (b) Harmony's DicomScp + DicomFileStore with an embedded index built by
 * {@code reindex} from the same files, in the same run. The SCU is our DicomClient for both, one
 * association per round, one query outstanding, both sides given the same query sequence. STUDY:
 * Study Root, PatientID = one patient (1 match); IMAGE: Study and Series UID given, every SOP Instance
 * UID (25 matches). Every query's match count is checked on both sides and a sample of answers is
 * compared UID by UID: the run fails if the two sides disagree. Prints queries/s and the ratio
 * ours/DCMTK (median of the rounds).
 *
 * <p>{@code dcmqridx} costs time quadratic in the number of records (each registration scans the
 * whole index file), so {@code --cache DIR} keeps the corpus and its prepared dcmqrscp storage area
 * under {@code DIR} and re-uses them while the corpus parameters, the DCMTK version and the digests of
 * the files and of {@code index.dat} still match. Harmony's index is always rebuilt in the run.
 *
 * <pre>
 * java -cp harmony-examples/target/harmony-examples.jar dev.harmony.examples.bench.FindBenchmark \
 *      [--instances 10000] [--queries 400] [--rounds 5] [--warmup 200] [--cache DIR]
 * </pre>
 */
public final class FindBenchmark {
    private static final String ROOT = "1.2.826.0.1.3680043.9.8888";
    private static final String CT = "1.2.840.10008.5.1.4.1.1.2";
    /** Bump when {@link #corpusFile} or the storage area layout changes: old caches are then rebuilt. */
    private static final int CORPUS_VERSION = 1;
    private static final int VERIFIED_QUERIES = 20;
    private int instances = 10_000;
    private int queries = 400;
    private int rounds = 5;
    private int warmup = 200;
    private Path cache;

    private FindBenchmark() {
    }

    public static void main(String[] argv) throws Exception {
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        FindBenchmark b = new FindBenchmark();
        for (int i = 0; i < argv.length; i += 2) {
            if (i + 1 >= argv.length) {
                throw new IllegalArgumentException("option " + argv[i] + " needs a value");
            }
            String v = argv[i + 1];
            switch (argv[i]) {
                case "--instances" -> b.instances = Integer.parseInt(v);
                case "--queries" -> b.queries = Integer.parseInt(v);
                case "--rounds" -> b.rounds = Integer.parseInt(v);
                case "--warmup" -> b.warmup = Integer.parseInt(v);
                case "--cache" -> b.cache = Path.of(v).toAbsolutePath().normalize();
                default -> throw new IllegalArgumentException("unknown option " + argv[i]);
            }
        }
        b.run();
    }

    private void run() throws Exception {
        if (instances < 100 || instances % 100 != 0) {
            throw new IllegalArgumentException("--instances must be a positive multiple of 100 (100 per study)");
        }
        int studies = instances / 100;
        if (studies > 500) {
            throw new IllegalArgumentException("dcmqrscp holds at most 500 studies per storage area: --instances <= 50000");
        }
        Path work = Files.createTempDirectory("harmony-find-bench");
        Process dcmqrscp = null;
        Pipeline ours = null;
        DicomIndex index = null;
        try {
            System.out.printf(Locale.ROOT, "machine: %d cores, %s, Java %s, %s, load average %s%n",
                    Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                    System.getProperty("java.version"), dcmtkVersion(), loadAverage());
            Path area = cache != null ? cache.resolve("find-v" + CORPUS_VERSION + "-" + instances) : work.resolve("corpus");
            prepare(area, studies);

            int qrPort = freePort();
            Path config = work.resolve("dcmqrscp.cfg");
            // read-only AE: C-FIND only, and the cached storage area stays as prepared
            Files.writeString(config, "NetworkTCPPort = " + qrPort + "\nMaxPDUSize = 65536\nMaxAssociations = 16\n"
                    + "HostTable BEGIN\nHostTable END\nVendorTable BEGIN\nVendorTable END\n"
                    + "AETable BEGIN\nQRSCP " + area.resolve("dcmqrscp") + " R (500, 1024mb) ANY\nAETable END\n");
            // -ll fatal: past 32 MB of index.dat (about 4,000 instances) DCMTK logs "DB ALERT: attempt to seek
            // beyond 33554432 bytes" for every record it reads, thousands of lines per query; the answers are
            // checked below instead
            dcmqrscp = start(List.of(tool("dcmqrscp"), "-ll", "fatal", "-c", config.toString()), work.resolve("dcmqrscp.log"));
            awaitListening(qrPort, dcmqrscp);

            DicomScp scp = DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("HARMONY").build();
            index = DicomIndex.embedded(work.resolve("harmony-index"));
            DicomFileStore store = DicomFileStore.under(area.resolve("files")).index(index).build();
            ours = Pipeline.builder().name("find-bench").frontend(scp).backend(store).build();
            ours.start();
            long t0 = System.nanoTime();
            int indexed = store.reindex();
            System.out.printf(Locale.ROOT, "Harmony: new embedded index built by reindex in %.1f s (%d instances)%n%n",
                    (System.nanoTime() - t0) / 1e9, indexed);
            if (indexed != instances) {
                throw new IllegalStateException("Harmony indexed " + indexed + " files, expected " + instances);
            }

            DicomNode theirs = DicomNode.of("QRSCP", "127.0.0.1", qrPort);
            DicomNode mine = DicomNode.of("HARMONY", "127.0.0.1", scp.localPort());
            Random random = new Random(42);
            for (QueryLevel level : List.of(QueryLevel.STUDY, QueryLevel.IMAGE)) {
                verify(level, theirs, mine, sequence(random, VERIFIED_QUERIES, studies));
            }
            System.out.printf(Locale.ROOT, "%-8s %-22s %12s %14s%n", "level", "SCP", "queries/s", "matches/query");
            for (QueryLevel level : List.of(QueryLevel.STUDY, QueryLevel.IMAGE)) {
                int[] warm = sequence(random, warmup, studies);
                measure(theirs, level, warm); // warm both up (JIT, caches) before measuring
                measure(mine, level, warm);
                double[][] samples = new double[2][rounds];
                for (int r = 0; r < rounds; r++) { // interleaved, so background load hits both alike
                    int[] seq = sequence(random, queries, studies);
                    samples[0][r] = measure(theirs, level, seq);
                    samples[1][r] = measure(mine, level, seq);
                }
                double[] q = new double[2];
                for (int s = 0; s < 2; s++) {
                    Arrays.sort(samples[s]);
                    q[s] = samples[s][rounds / 2];
                }
                int expected = expectedMatches(level);
                System.out.printf(Locale.ROOT, "%-8s %-22s %12.1f %14d%n", level, "DCMTK dcmqrscp", q[0], expected);
                System.out.printf(Locale.ROOT, "%-8s %-22s %12.1f %14d%n", level, "Harmony (H2 index)", q[1], expected);
                System.out.printf(Locale.ROOT, "%-8s ratio ours/DCMTK: %.2f  (every query: %d matches on both sides)%n%n",
                        level, q[1] / q[0], expected);
            }
            System.out.println("load average at the end: " + loadAverage());
        } finally {
            if (ours != null) {
                ours.close();
            }
            if (index != null) {
                index.close();
            }
            if (dcmqrscp != null) {
                dcmqrscp.destroy();
                dcmqrscp.waitFor();
            }
            deleteTree(work);
        }
    }

    /**
     * Makes {@code area} hold the corpus ({@code files/}) and a dcmqrscp storage area registering it
     * ({@code dcmqrscp/index.dat}, absolute file names). With a cache, an area whose manifest matches is
     * re-used; anything else there is deleted and prepared again. The manifest is written last, so an
     * interrupted preparation is never re-used.
     */
    private void prepare(Path area, int studies) throws IOException, InterruptedException {
        Path manifest = area.resolve("manifest.properties");
        String version = dcmtkVersion();
        if (cache != null && Files.exists(manifest)) {
            Properties m = new Properties();
            try (InputStream in = Files.newInputStream(manifest)) {
                m.load(in);
            }
            long t0 = System.nanoTime();
            String why = mismatch(m, area, studies, version);
            if (why == null) {
                System.out.printf(Locale.ROOT, "corpus: %d instances, %d studies (%d patients), re-used from %s "
                        + "(checked in %.1f s)%n", instances, studies, studies, area, (System.nanoTime() - t0) / 1e9);
                System.out.printf(Locale.ROOT, "dcmqrscp: storage area re-used; dcmqridx had taken %s s on %s%n",
                        m.getProperty("dcmqridxSeconds"), m.getProperty("preparedAt"));
                return;
            }
            System.out.println("cache " + area + " is stale (" + why + "): preparing it again");
        }
        deleteTree(area);
        Path files = Files.createDirectories(area.resolve("files"));
        Path db = Files.createDirectories(area.resolve("dcmqrscp"));
        long t0 = System.nanoTime();
        List<String> names = new ArrayList<>();
        MessageDigest corpus = sha256();
        for (int s = 0; s < studies; s++) {
            for (int series = 1; series <= 4; series++) {
                for (int i = 1; i <= 25; i++) {
                    String sop = sop(s, series, i);
                    byte[] bytes = corpusFile(s, series, i);
                    corpus.update(bytes);
                    Path file = files.resolve(sop + ".dcm");
                    Files.write(file, bytes);
                    names.add(file.toString());
                }
            }
        }
        System.out.printf(Locale.ROOT, "corpus: %d instances, %d studies (%d patients), written in %.1f s%n",
                instances, studies, studies, (System.nanoTime() - t0) / 1e9);
        // Batches only bound the command line: the cost is dcmqridx's scan of every record per file, not the calls
        t0 = System.nanoTime();
        for (int from = 0; from < names.size(); from += 1000) {
            List<String> cmd = new ArrayList<>(List.of(tool("dcmqridx"), "-ll", "fatal", db.toString())); // see dcmqrscp
            cmd.addAll(names.subList(from, Math.min(names.size(), from + 1000)));
            Process p = start(cmd, area.resolve("dcmqridx.log"));
            if (p.waitFor() != 0) {
                throw new IllegalStateException("dcmqridx failed; see " + area.resolve("dcmqridx.log"));
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "dcmqrscp: %d files registered with dcmqridx in %.1f s%n", names.size(), seconds);
        if (cache != null) {
            Properties m = new Properties();
            m.setProperty("instances", Integer.toString(instances));
            m.setProperty("corpusVersion", Integer.toString(CORPUS_VERSION));
            m.setProperty("dcmtk", version);
            m.setProperty("corpusSha256", HexFormat.of().formatHex(corpus.digest()));
            m.setProperty("indexSha256", digestOf(db.resolve("index.dat")));
            m.setProperty("dcmqridxSeconds", String.format(Locale.ROOT, "%.1f", seconds));
            m.setProperty("preparedAt", Instant.now().toString());
            Path tmp = area.resolve("manifest.tmp");
            try (var out = Files.newOutputStream(tmp)) {
                m.store(out, "FindBenchmark cache: corpus and dcmqrscp storage area; delete the directory to rebuild");
            }
            Files.move(tmp, manifest, StandardCopyOption.ATOMIC_MOVE);
            System.out.println("cache: prepared " + area);
        }
    }

    /** Why the cached area does not hold exactly this run's corpus and its registration, or null if it does. */
    private String mismatch(Properties m, Path area, int studies, String version) throws IOException {
        if (!Integer.toString(instances).equals(m.getProperty("instances"))
                || !Integer.toString(CORPUS_VERSION).equals(m.getProperty("corpusVersion"))) {
            return "other corpus parameters";
        }
        if (!version.equals(m.getProperty("dcmtk"))) {
            return "prepared by " + m.getProperty("dcmtk");
        }
        MessageDigest onDisk = sha256();
        MessageDigest expected = sha256();
        try (var listing = Files.list(area.resolve("files"))) {
            if (listing.count() != instances) {
                return "not " + instances + " files";
            }
        }
        for (int s = 0; s < studies; s++) {
            for (int series = 1; series <= 4; series++) {
                for (int i = 1; i <= 25; i++) {
                    Path file = area.resolve("files").resolve(sop(s, series, i) + ".dcm");
                    if (!Files.isRegularFile(file)) {
                        return "missing " + file.getFileName();
                    }
                    onDisk.update(Files.readAllBytes(file));
                    expected.update(corpusFile(s, series, i));
                }
            }
        }
        String files = HexFormat.of().formatHex(onDisk.digest());
        if (!files.equals(m.getProperty("corpusSha256")) || !files.equals(HexFormat.of().formatHex(expected.digest()))) {
            return "corpus files changed";
        }
        Path indexDat = area.resolve("dcmqrscp").resolve("index.dat");
        if (!Files.isRegularFile(indexDat) || !digestOf(indexDat).equals(m.getProperty("indexSha256"))) {
            return "index.dat changed";
        }
        return null;
    }

    /**
     * Sends {@code studies} queries to both sides outside the timing and compares the answers UID by
     * UID (sorted): a benchmark whose two sides answer differently is invalid.
     */
    private static void verify(QueryLevel level, DicomNode theirs, DicomNode mine, int[] studies) throws IOException {
        int uidTag = level == QueryLevel.STUDY ? QueryKeys.STUDY_INSTANCE_UID : QueryKeys.SOP_INSTANCE_UID;
        List<List<String>> a = answers(theirs, level, studies, uidTag);
        List<List<String>> b = answers(mine, level, studies, uidTag);
        for (int i = 0; i < studies.length; i++) {
            if (!a.get(i).equals(b.get(i)) || a.get(i).size() != expectedMatches(level)) {
                throw new IllegalStateException("invalid benchmark: " + level + " query for study " + studies[i]
                        + " answered differently: dcmqrscp " + a.get(i) + ", Harmony " + b.get(i));
            }
        }
        System.out.printf(Locale.ROOT, "%s: %d queries answered with the same %d UIDs each by both sides%n",
                level, studies.length, expectedMatches(level));
    }

    private static List<List<String>> answers(DicomNode node, QueryLevel level, int[] studies, int uidTag)
            throws IOException {
        List<List<String>> all = new ArrayList<>();
        DicomClient client = DicomClient.callingAe("BENCH").build();
        try (ScuAssociation a = client.open(node, List.of(DicomClient.findProposal(QueryModel.STUDY_ROOT)))) {
            for (int study : studies) {
                List<String> uids = new ArrayList<>();
                find(a, node, query(level, study), m -> uids.add(m.string(uidTag).orElse("<none>")));
                uids.sort(null);
                all.add(uids);
            }
        }
        return all;
    }

    /**
     * Queries per second for the queries of {@code studies} on one association; fails if any query's
     * match count is not the corpus's (so both sides are held to the same answer for every query).
     */
    private static double measure(DicomNode node, QueryLevel level, int[] studies) throws IOException {
        DicomClient client = DicomClient.callingAe("BENCH").build();
        int[] counts = new int[studies.length];
        long t0 = System.nanoTime();
        try (ScuAssociation a = client.open(node, List.of(DicomClient.findProposal(QueryModel.STUDY_ROOT)))) {
            for (int i = 0; i < studies.length; i++) {
                int[] count = counts;
                int n = i;
                find(a, node, query(level, studies[i]), m -> ++count[n] > 0);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        int expected = expectedMatches(level);
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] != expected) {
                throw new IllegalStateException("invalid benchmark: " + node + " answered the " + level
                        + " query for study " + studies[i] + " with " + counts[i] + " matches, expected " + expected);
            }
        }
        return studies.length / seconds;
    }

    private static void find(ScuAssociation a, DicomNode node, DicomQuery q, Predicate<Dataset> onMatch)
            throws IOException {
        int status = a.find(q, onMatch);
        if (status != 0) {
            throw new IllegalStateException(node + " answered C-FIND with " + Integer.toHexString(status));
        }
    }

    private static int[] sequence(Random random, int n, int studies) {
        int[] s = new int[n];
        for (int i = 0; i < n; i++) {
            s[i] = random.nextInt(studies);
        }
        return s;
    }

    private static int expectedMatches(QueryLevel level) {
        return level == QueryLevel.STUDY ? 1 : 25;
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

    private static String sop(int study, int series, int instance) {
        return ROOT + "." + study + "." + series + "." + instance;
    }

    /** One CT instance (no pixel data) of study {@code s}, one patient per study: the file's bytes. */
    private static byte[] corpusFile(int s, int series, int i) {
        String sop = sop(s, series, i);
        Dataset d = new Dataset()
                .set(QueryKeys.SPECIFIC_CHARACTER_SET, "ISO_IR 100")
                .set(QueryKeys.SOP_CLASS_UID, CT).set(QueryKeys.SOP_INSTANCE_UID, sop)
                .set(QueryKeys.STUDY_DATE, String.format(Locale.ROOT, "2024%02d%02d", 1 + s % 12, 1 + s % 28))
                .set(QueryKeys.STUDY_TIME, "101500").set(QueryKeys.ACCESSION_NUMBER, "ACC" + s)
                .set(QueryKeys.MODALITY, "CT").set(QueryKeys.STUDY_DESCRIPTION, "CT STUDY " + s)
                .set(QueryKeys.PATIENT_NAME, "Patient^" + s).set(QueryKeys.PATIENT_ID, "PID" + s)
                .set(QueryKeys.PATIENT_BIRTH_DATE, "19700101").set(QueryKeys.PATIENT_SEX, "O")
                .set(QueryKeys.STUDY_INSTANCE_UID, ROOT + "." + s)
                .set(QueryKeys.SERIES_INSTANCE_UID, ROOT + "." + s + "." + series)
                .set(QueryKeys.STUDY_ID, Integer.toString(s)).set(QueryKeys.SERIES_NUMBER, Integer.toString(series))
                .set(QueryKeys.INSTANCE_NUMBER, Integer.toString(i));
        byte[] meta = new FileMeta(CT, sop, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid(), null).encode();
        byte[] body = d.encode(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
        byte[] all = Arrays.copyOf(meta, meta.length + body.length);
        System.arraycopy(body, 0, all, meta.length, body.length);
        return all;
    }

    private static String dcmtkVersion() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(tool("dcmqridx"), "--version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        String first = out.lines().findFirst().orElse("").replace("$", "").trim();
        return first.isEmpty() ? "dcmtk (unknown version)" : first;
    }

    /** The 1/5/15-minute load averages (Linux), so a result says how busy the machine was. */
    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String digestOf(Path file) throws IOException {
        MessageDigest d = sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
