package dev.harmony.examples.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.TransferSyntax;
import dev.harmony.dicom.Uids;
import dev.harmony.dicom.scu.DicomClient;
import dev.harmony.dicom.scu.Proposal;
import dev.harmony.dicom.scu.ScuAssociation;
import dev.harmony.examples.bench.DicomCorpus;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code dicom-scp} subcommand in its own JVM with {@code -Xmx128m}: READY line, DCMTK echoscu and
 * storescu as the modality, a refused stranger, a 1 GB object streamed through, Ctrl-C (SIGTERM) shutdown.
 */
class DicomScpCommandTest {
    private static final long ONE_GB_FRAMES = 1024L * 1024 * 1024 / DicomCorpus.FRAME_BYTES;

    @TempDir
    Path tmp;
    private Process process;
    private int port;
    private Path dir;
    private Path log;

    @BeforeEach
    void startCommand() throws Exception {
        dir = tmp.resolve("data");
        log = tmp.resolve("dicom-scp.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                "dev.harmony.examples.Main", "dicom-scp", "--bind", "127.0.0.1", "--port", "0", "--dir", dir.toString(),
                "--allow-calling-ae", "MODALITY, BIG").redirectError(log.toFile()).start();
        BufferedReader stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String ready = CompletableFuture.supplyAsync(() -> {
            try {
                return stdout.readLine();
            } catch (IOException e) {
                return null;
            }
        }).get(60, TimeUnit.SECONDS);
        assertThat(ready).as("first stdout line; stderr: %s", Files.readString(log)).startsWith("READY dicom-scp ");
        port = Integer.parseInt(ready.substring("READY dicom-scp ".length()).trim());
    }

    @AfterEach
    void stopCommand() throws Exception {
        if (process.isAlive()) {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static String tool(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, name))) {
                return Path.of(d, name).toString();
            }
        }
        throw new AssertionError(name + " is not installed: apt-get install -y dcmtk (see .ci/run)");
    }

    private static int dcmtk(List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("TCP_NODELAY", "1");
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", command.get(0)).isTrue();
        return p.exitValue();
    }

    @Test
    void servesDcmtkModalityRefusesStrangersAndStopsOnSigterm() throws Exception {
        assertThat(dcmtk(List.of(tool("echoscu"), "-aet", "MODALITY", "-aec", "HARMONY", "127.0.0.1", "" + port)))
                .isZero();
        assertThat(dcmtk(List.of(tool("echoscu"), "-aet", "STRANGER", "-aec", "HARMONY", "127.0.0.1", "" + port)))
                .isNotZero();
        List<Path> files = DicomCorpus.write(tmp.resolve("corpus"), 3, 1);
        List<String> storescu = new ArrayList<>(List.of(tool("storescu"), "-aet", "MODALITY", "-aec", "HARMONY",
                "127.0.0.1", "" + port));
        files.forEach(f -> storescu.add(f.toString()));
        assertThat(dcmtk(storescu)).isZero();
        try (Stream<Path> stored = Files.walk(dir)) {
            assertThat(stored.filter(p -> p.toString().endsWith(".dcm")).count()).isEqualTo(3);
        }

        process.destroy(); // SIGTERM, as Ctrl-C would
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exits after SIGTERM").isTrue();
        String stderr = Files.readString(log);
        assertThat(stderr).contains("DICOM listener HARMONY on 127.0.0.1:" + port);
        assertThat(stderr).contains("association").contains("from MODALITY").contains("3 objects")
                .contains("C-STORE").contains("status 0000").contains("from STRANGER: refused");
    }

    private static String output(List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("TCP_NODELAY", "1");
        Process p = pb.start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getInputStream().readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        });
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", command.get(0)).isTrue();
        return new String(out.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8) + "\nexit " + p.exitValue();
    }

    @Test
    void answersTheReadmeFindscuFromItsIndexAndReindexRebuildsIt() throws Exception {
        List<Path> files = DicomCorpus.write(tmp.resolve("corpus"), 3, 1);
        List<String> storescu = new ArrayList<>(List.of(tool("storescu"), "-aet", "MODALITY", "-aec", "HARMONY",
                "127.0.0.1", "" + port));
        files.forEach(f -> storescu.add(f.toString()));
        assertThat(dcmtk(storescu)).isZero();
        // the line dicom-scp prints, as the README shows it
        String printed = dev.harmony.examples.PrintedCommands.findStudies("MODALITY", "HARMONY", "127.0.0.1", port);
        String found = output(List.of("sh", "-c", printed + " 2>&1"));
        assertThat(found).contains("(0020,1208) IS [3 ]").contains("(0008,0061) CS [CT]").endsWith("exit 0");

        // C-MOVE to a destination the listener was not given: A801, and nothing is sent
        String move = output(List.of(tool("movescu"), "-v", "-S", "-aet", "MODALITY", "-aec", "HARMONY", "-aem", "WS1",
                "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=1.2.3", "127.0.0.1", "" + port));
        assertThat(move).contains("Final Move Response (Refused: MoveDestinationUnknown)");

        process.destroy();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String reindex = output(List.of(java, "-cp", System.getProperty("java.class.path"), "dev.harmony.examples.Main",
                "reindex", "--dir", dir.toString()));
        assertThat(reindex).contains("indexed 3 instances under").endsWith("exit 0");
    }

    @Test
    void oneGigabyteObjectPassesThroughA128MegabyteHeap() throws Exception {
        String study = Uids.random();
        String series = Uids.random();
        String instance = Uids.random();
        int frames = (int) ONE_GB_FRAMES;
        long length = DicomCorpus.datasetLength(study, series, instance, frames);
        int status;
        try (ScuAssociation a = DicomClient.callingAe("BIG").build().open(DicomNode.of("HARMONY", "127.0.0.1", port),
                List.of(Proposal.of(Uids.CT_IMAGE_STORAGE, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN)));
                InputStream data = DicomCorpus.dataset(study, series, instance, frames)) {
            status = a.store(Uids.CT_IMAGE_STORAGE, instance, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid(), data);
        }
        assertThat(status).as("C-STORE status; stderr: %s", Files.readString(log)).isZero();
        Path stored = dir.resolve(study).resolve(series).resolve(instance + ".dcm");
        long metaLength = Files.size(stored) - length;
        assertThat(metaLength).as("file = Part-10 header + the whole data set").isBetween(132L, 512L);
        assertThat(process.isAlive()).isTrue();
        Files.delete(stored);
    }
}
