package dev.harmony.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.backend.DicomFileStore;
import dev.harmony.dicom.frontend.DicomScp;
import dev.harmony.dicom.query.Dataset;
import dev.harmony.dicom.query.DicomQuery;
import dev.harmony.dicom.query.QueryKeys;
import dev.harmony.dicom.query.QueryLevel;
import dev.harmony.dicom.query.QueryModel;
import dev.harmony.dicom.scu.DicomClient;
import dev.harmony.examples.bench.DicomCorpus;
import dev.harmony.pipeline.Pipeline;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dicom-scp --query-pacs}: option contradictions are usage errors (exit 2), and the runner in its
 * own JVM answers DCMTK findscu with the PACS's matches while C-STORE still lands in its {@code --dir}.
 */
class DicomScpQueryPacsTest {
    private final RunnerHarness runner = new RunnerHarness();

    @TempDir
    Path tmp;

    @Test
    void contradictionsAreUsageErrors() {
        assertThat(runner.run("dicom-scp", "--port", "0", "--query-pacs", "PACS@127.0.0.1:1", "--move-destination",
                "WS1@127.0.0.1:2")).isEqualTo(2);
        assertThat(runner.err()).contains("option --query-pacs contradicts --move-destination");
        assertThat(runner.run("dicom-scp", "--port", "0", "--query-pacs", "PACS@127.0.0.1:1", "--index",
                "jdbc:postgresql://127.0.0.1:1/x")).isEqualTo(2);
        assertThat(runner.err()).contains("option --query-pacs contradicts --index");
        assertThat(runner.run("dicom-scp", "--port", "11112", "--query-pacs", "PACS@127.0.0.1:11112")).isEqualTo(2);
        assertThat(runner.err()).contains("option --query-pacs names this listener itself");
        assertThat(runner.run("dicom-scp", "--port", "0", "--query-pacs", "PACS@127.0.0.1:1", "--query-pacs",
                "OTHER@127.0.0.1:2")).isEqualTo(2);
        assertThat(runner.err()).contains("option --query-pacs is given twice");
        assertThat(runner.run("dicom-scp", "--port", "0", "--query-pacs", "PACS@127.0.0.1")).isEqualTo(2);
        assertThat(runner.err()).contains("option --query-pacs expects AE@host:port");
        assertThat(runner.run("dicom-scp", "--port", "0", "--query-pacs", "PACS@127.0.0.1:1", "--query-pacs-mode",
                "copy")).isEqualTo(2);
        assertThat(runner.err()).contains("option --query-pacs-mode expects relay or fetch, not 'copy'");
        assertThat(runner.run("dicom-scp", "--port", "0", "--query-pacs", "PACS@127.0.0.1:1", "--query-pacs-mode",
                "fetch")).isEqualTo(2);
        assertThat(runner.err()).contains("option --query-pacs-mode fetch needs --move-destination");
        assertThat(runner.run("dicom-scp", "--port", "0", "--query-pacs-mode", "fetch", "--move-destination",
                "WS1@127.0.0.1:2")).isEqualTo(2);
        assertThat(runner.err()).contains("option --query-pacs-mode needs --query-pacs");
        assertThat(runner.run("dicom-scp", "--help")).isZero();
        assertThat(runner.out()).contains("--query-pacs").contains("--query-pacs-mode");
    }

    @Test
    void findscuGetsThePacsMatchesAndStoresStayLocal() throws Exception {
        List<Path> corpus = DicomCorpus.write(tmp.resolve("corpus"), 3, 1);
        DicomScp pacsListener = DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("PACS").build();
        try (Pipeline pacs = Pipeline.builder().name("pacs").frontend(pacsListener)
                .backend(DicomFileStore.under(tmp.resolve("pacs")).indexed().build()).build()) {
            pacs.start();
            DicomClient client = DicomClient.callingAe("MODALITY").build();
            assertThat(client.store(DicomNode.of("PACS", "127.0.0.1", pacsListener.localPort()), corpus)).containsOnly(0);
            Path dir = tmp.resolve("data");
            try (RunnerProcess proxy = RunnerProcess.start(tmp.resolve("runner.log"), "dicom-scp", "--bind", "127.0.0.1",
                    "--port", "0", "--dir", dir.toString(), "--query-pacs", "PACS@127.0.0.1:" + pacsListener.localPort())) {
                String found = output(RunnerProcess.tool("findscu"), "-v", "-S", "-aet", "MODALITY", "-aec", "HARMONY",
                        "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID", "-k", "NumberOfStudyRelatedInstances",
                        "127.0.0.1", "" + proxy.port());
                assertThat(found).contains("(0020,1208) IS [3 ]").contains("Received Final Find Response (Success)");

                // C-STORE goes to the runner's own directory, not to the PACS (which still holds 3).
                assertThat(client.store(DicomNode.of("HARMONY", "127.0.0.1", proxy.port()), corpus.subList(0, 1)))
                        .containsOnly(0);
                RunnerProcess.await(Duration.ofSeconds(30), "the stored file", () -> dcmFiles(dir) == 1);
                assertThat(output(RunnerProcess.tool("findscu"), "-v", "-S", "-aet", "MODALITY", "-aec", "HARMONY",
                        "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID", "-k", "NumberOfStudyRelatedInstances",
                        "127.0.0.1", "" + proxy.port())).contains("(0020,1208) IS [3 ]");
            }
        }
    }

    /**
     * A modality behind a firewall: DCMTK getscu asks the runner for a study, the runner relays the C-GET
     * to the PACS and streams every instance back on getscu's own association, data set for data set.
     */
    @Test
    void getscuGetsThePacsInstancesBackThroughTheRunner() throws Exception {
        List<Path> corpus = DicomCorpus.write(tmp.resolve("corpus"), 3, 1);
        DicomScp pacsListener = DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("PACS").build();
        try (Pipeline pacs = Pipeline.builder().name("pacs").frontend(pacsListener)
                .backend(DicomFileStore.under(tmp.resolve("pacs")).indexed().build()).build()) {
            pacs.start();
            DicomClient client = DicomClient.callingAe("MODALITY").build();
            assertThat(client.store(DicomNode.of("PACS", "127.0.0.1", pacsListener.localPort()), corpus)).containsOnly(0);
            String study = client.find(DicomNode.of("PACS", "127.0.0.1", pacsListener.localPort()),
                    DicomQuery.of(QueryModel.STUDY_ROOT, QueryLevel.STUDY, new Dataset().set(QueryKeys.STUDY_INSTANCE_UID, "")))
                    .get(0).string(QueryKeys.STUDY_INSTANCE_UID).orElseThrow();
            Path got = Files.createDirectories(tmp.resolve("got"));
            try (RunnerProcess proxy = RunnerProcess.start(tmp.resolve("runner.log"), "dicom-scp", "--bind", "127.0.0.1",
                    "--port", "0", "--dir", tmp.resolve("data").toString(),
                    "--query-pacs", "PACS@127.0.0.1:" + pacsListener.localPort())) {
                String out = output(RunnerProcess.tool("getscu"), "-v", "-S", "-aet", "MODALITY", "-aec", "HARMONY",
                        "-od", got.toString(), "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + study,
                        "127.0.0.1", "" + proxy.port());
                assertThat(out).contains("Received C-GET Response (Success)")
                        .contains("Number of Completed Suboperations : 3").contains("exit 0");
            }
            List<String> sent = datasets(tmp.resolve("corpus"));
            assertThat(sent).hasSize(3);
            assertThat(datasets(got)).containsExactlyInAnyOrderElementsOf(sent);
        }
    }

    /** The SHA-256 of each Part-10 file's data set (what follows its header) under {@code dir}. */
    private static List<String> datasets(Path dir) throws Exception {
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                byte[] b = Files.readAllBytes(f);
                if (b.length < 144 || !new String(b, 128, 4, StandardCharsets.US_ASCII).equals("DICM")) {
                    continue; // getscu names its files CT.<uid>, without an extension; skip anything else
                }
                // (0002,0000) UL, the meta group's length, follows the 128-byte preamble and "DICM"
                int groupLength = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(132 + 8);
                byte[] dataset = java.util.Arrays.copyOfRange(b, 132 + 12 + groupLength, b.length);
                out.add(java.util.HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(dataset)));
            }
        }
        return out;
    }

    /**
     * {@code --query-pacs-mode fetch}: DCMTK movescu asks the runner to move a study to a destination the
     * PACS (a listener of ours with an index, which answers C-GET) does not know; the runner fetches it
     * and sends it on to the {@code --move-destination}.
     */
    @Test
    void movescuThroughTheFetchModeReachesADestinationThePacsDoesNotKnow() throws Exception {
        List<Path> corpus = DicomCorpus.write(tmp.resolve("corpus"), 3, 1);
        DicomScp pacsListener = DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("PACS").build();
        DicomScp destListener = DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("WS1").build();
        Path received = tmp.resolve("ws1");
        try (Pipeline pacs = Pipeline.builder().name("pacs").frontend(pacsListener)
                .backend(DicomFileStore.under(tmp.resolve("pacs")).indexed().build()).build();
                Pipeline dest = Pipeline.builder().name("ws1").frontend(destListener)
                        .backend(DicomFileStore.under(received).build()).build()) {
            pacs.start();
            dest.start();
            DicomClient client = DicomClient.callingAe("MODALITY").build();
            assertThat(client.store(DicomNode.of("PACS", "127.0.0.1", pacsListener.localPort()), corpus)).containsOnly(0);
            // the corpus is one study; the PACS tells its UID
            String study = client.find(DicomNode.of("PACS", "127.0.0.1", pacsListener.localPort()),
                    DicomQuery.of(QueryModel.STUDY_ROOT, QueryLevel.STUDY, new Dataset().set(QueryKeys.STUDY_INSTANCE_UID, "")))
                    .get(0).string(QueryKeys.STUDY_INSTANCE_UID).orElseThrow();
            try (RunnerProcess proxy = RunnerProcess.start(tmp.resolve("runner.log"), "dicom-scp", "--bind", "127.0.0.1",
                    "--port", "0", "--dir", tmp.resolve("data").toString(),
                    "--query-pacs", "PACS@127.0.0.1:" + pacsListener.localPort(), "--query-pacs-mode", "fetch",
                    "--move-destination", "WS1@127.0.0.1:" + destListener.localPort())) {
                String moved = output(RunnerProcess.tool("movescu"), "-v", "-S", "-aet", "MODALITY", "-aec", "HARMONY",
                        "-aem", "WS1", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + study,
                        "127.0.0.1", "" + proxy.port());
                assertThat(moved).contains("Received Final Move Response (Success)").contains("exit 0");
                assertThat(moved).contains("Received Move Response 1 (Pending)");
                assertThat(dcmFiles(received)).isEqualTo(3);
            }
        }
    }

    private static long dcmFiles(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(f -> f.toString().endsWith(".dcm")).count();
        } catch (IOException e) {
            return -1;
        }
    }

    private static String output(String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true);
        pb.environment().put("TCP_NODELAY", "1");
        Process p = pb.start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getInputStream().readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        });
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", command[0]).isTrue();
        return new String(out.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8) + "\nexit " + p.exitValue();
    }
}
