package dev.harmony.dicom.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.dicom.Dcmtk;
import dev.harmony.dicom.Part10;
import dev.harmony.dicom.TransferSyntax;
import dev.harmony.dicom.backend.DicomFileStore;
import dev.harmony.dicom.middleware.AeTitleCheck;
import dev.harmony.pipeline.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DCMTK echoscu/storescu as the modality, our SCP + AE check + file store as the receiver. */
class ScpWithDcmtkTest {
    private static final String STUDY = "1.2.826.0.1.3680043.2.1125.1";
    private static final String SERIES = "1.2.826.0.1.3680043.2.1125.1.2";
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    Path tmp;
    private Path store;
    private Pipeline pipeline;
    private DicomScp scp;

    @BeforeEach
    void start() {
        store = tmp.resolve("store");
        scp = DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("HARMONY").build();
        pipeline = Pipeline.builder().name("scp-test")
                .frontend(scp)
                .use(AeTitleCheck.allow("MODALITY").build())
                .backend(DicomFileStore.under(store).build())
                .build();
        pipeline.start();
    }

    @AfterEach
    void stop() {
        pipeline.close();
    }

    private String port() {
        return String.valueOf(scp.localPort());
    }

    @Test
    void echoscuGetsSuccess() throws Exception {
        Dcmtk.Result r = Dcmtk.run(TIMEOUT, "echoscu", "-aet", "MODALITY", "-aec", "HARMONY", "127.0.0.1", port());
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    @Test
    void twoHundredObjectsInOneAssociationLandAsIdenticalPart10Files() throws Exception {
        Path corpus = Files.createDirectories(tmp.resolve("corpus"));
        List<Path> sent = new ArrayList<>();
        for (int i = 1; i <= 210; i++) {
            sent.add(Dcmtk.ctObject(corpus, STUDY, SERIES, SERIES + "." + i, 2048));
        }
        List<String> args = new ArrayList<>(List.of(Dcmtk.require("storescu"), "-aet", "MODALITY", "-aec", "HARMONY",
                "127.0.0.1", port()));
        sent.forEach(p -> args.add(p.toString()));
        Dcmtk.Result r = Dcmtk.run(args, TIMEOUT);
        assertThat(r.exitCode()).as(r.output()).isZero();

        try (Stream<Path> files = Files.list(store.resolve(STUDY).resolve(SERIES))) {
            assertThat(files.filter(p -> p.toString().endsWith(".dcm")).count()).isEqualTo(210);
        }
        for (Path original : sent) {
            String instance = original.getFileName().toString().replace(".dcm", "");
            Path stored = store.resolve(STUDY).resolve(SERIES).resolve(instance + ".dcm");
            Part10 in = Part10.read(original);
            Part10 out = Part10.read(stored);
            assertThat(out.meta().sopInstanceUid()).isEqualTo(instance);
            assertThat(out.meta().sopClassUid()).isEqualTo(in.meta().sopClassUid());
            assertThat(out.meta().transferSyntaxUid()).isEqualTo(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid());
            assertThat(out.meta().sourceAeTitle()).isEqualTo("MODALITY");
            assertThat(out.dataset()).as("data set of %s", instance).isEqualTo(in.dataset());
        }
        try (Stream<Path> all = Files.walk(store)) {
            assertThat(all.filter(p -> p.getFileName().toString().endsWith(".part"))).isEmpty();
        }
        // DCMTK itself can read what we wrote.
        Path one = store.resolve(STUDY).resolve(SERIES).resolve(SERIES + ".7.dcm");
        Dcmtk.Result dump = Dcmtk.run(TIMEOUT, "dcmdump", one.toString());
        assertThat(dump.exitCode()).as(dump.output()).isZero();
        assertThat(dump.output()).contains("(0002,0016) AE [MODALITY]").contains("Doe^John")
                .contains("(0020,000e) UI [" + SERIES + "]");
    }

    @Test
    void implicitAndDeflatedAndBigEndianSyntaxesAreStoredAsNegotiated() throws Exception {
        Path corpus = Files.createDirectories(tmp.resolve("corpus"));
        String[][] cases = {
            {"+ti", "-xi", TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN.uid()},
            {"+td", "-xd", TransferSyntax.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN.uid()},
            {"+tb", "-xb", TransferSyntax.EXPLICIT_VR_BIG_ENDIAN.uid()},
        };
        int n = 0;
        for (String[] c : cases) {
            String instance = SERIES + ".9" + (++n);
            Path file = Dcmtk.ctObject(corpus, STUDY, SERIES, instance, 4096, c[0]);
            Dcmtk.Result r = Dcmtk.run(TIMEOUT, "storescu", "-R", c[1], "-aet", "MODALITY", "-aec", "HARMONY",
                    "127.0.0.1", port(), file.toString());
            assertThat(r.exitCode()).as(r.output()).isZero();
            Part10 stored = Part10.read(store.resolve(STUDY).resolve(SERIES).resolve(instance + ".dcm"));
            assertThat(stored.meta().transferSyntaxUid()).isEqualTo(c[2]);
            byte[] expected = Part10.read(file).dataset();
            byte[] actual = stored.dataset();
            if (c[0].equals("+td")) {
                // storescu deflates anew on the wire: compare the inflated content.
                expected = inflate(expected);
                actual = inflate(actual);
            }
            assertThat(actual).isEqualTo(expected);
        }
    }

    @Test
    void compressedObjectsAreStoredAsIsWithEncapsulatedPixelData() throws Exception {
        Path corpus = Files.createDirectories(tmp.resolve("corpus"));
        String instance = SERIES + ".77";
        Path plain = Dcmtk.ctObject(corpus, STUDY, SERIES, instance, 8192);
        Path jpeg = corpus.resolve("jpeg.dcm");
        Dcmtk.Result compress = Dcmtk.run(TIMEOUT, "dcmcjpeg", plain.toString(), jpeg.toString());
        assertThat(compress.exitCode()).as(compress.output()).isZero();
        String jpegLossless = "1.2.840.10008.1.2.4.70";
        assertThat(Part10.read(jpeg).meta().transferSyntaxUid()).isEqualTo(jpegLossless);

        Dcmtk.Result r = Dcmtk.run(TIMEOUT, "storescu", "-R", "-xs", "-aet", "MODALITY", "-aec", "HARMONY",
                "127.0.0.1", port(), jpeg.toString());
        assertThat(r.exitCode()).as(r.output()).isZero();
        Part10 stored = Part10.read(store.resolve(STUDY).resolve(SERIES).resolve(instance + ".dcm"));
        assertThat(stored.meta().transferSyntaxUid()).isEqualTo(jpegLossless);
        assertThat(stored.dataset()).isEqualTo(Part10.read(jpeg).dataset());
    }

    private static byte[] inflate(byte[] deflated) throws java.io.IOException {
        try (var in = new java.util.zip.InflaterInputStream(new java.io.ByteArrayInputStream(deflated),
                new java.util.zip.Inflater(true))) {
            return in.readAllBytes();
        }
    }

    @Test
    void parallelAssociationsAllLand() throws Exception {
        Path corpus = Files.createDirectories(tmp.resolve("corpus"));
        List<List<String>> commands = new ArrayList<>();
        for (int a = 0; a < 4; a++) {
            List<String> args = new ArrayList<>(List.of(Dcmtk.require("storescu"), "-aet", "MODALITY", "-aec", "HARMONY",
                    "127.0.0.1", port()));
            for (int i = 0; i < 10; i++) {
                args.add(Dcmtk.ctObject(corpus, STUDY, SERIES, SERIES + "." + (a + 1) + "0" + i, 4096).toString());
            }
            commands.add(args);
        }
        java.util.concurrent.ExecutorService senders = java.util.concurrent.Executors.newFixedThreadPool(commands.size());
        try {
            List<java.util.concurrent.Future<Dcmtk.Result>> runs = new ArrayList<>();
            for (List<String> c : commands) {
                runs.add(senders.submit(() -> Dcmtk.run(c, TIMEOUT)));
            }
            for (var run : runs) {
                Dcmtk.Result r = run.get(120, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(r.exitCode()).as(r.output()).isZero();
            }
        } finally {
            senders.shutdownNow();
        }
        try (Stream<Path> files = Files.list(store.resolve(STUDY).resolve(SERIES))) {
            assertThat(files.filter(p -> p.toString().endsWith(".dcm")).count()).isEqualTo(40);
        }
    }

    @Test
    void unknownCallingAeIsRejectedAndNothingIsWritten() throws Exception {
        Path file = Dcmtk.ctObject(Files.createDirectories(tmp.resolve("c")), STUDY, SERIES, SERIES + ".1", 1024);
        Dcmtk.Result r = Dcmtk.run(TIMEOUT, "storescu", "-aet", "STRANGER", "-aec", "HARMONY", "127.0.0.1", port(),
                file.toString());
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.output()).containsIgnoringCase("Calling AE Title Not Recognized");
        assertThat(Files.exists(store.resolve(STUDY))).isFalse();
    }

    @Test
    void wrongCalledAeIsRejectedAndNothingIsWritten() throws Exception {
        Path file = Dcmtk.ctObject(Files.createDirectories(tmp.resolve("c")), STUDY, SERIES, SERIES + ".1", 1024);
        Dcmtk.Result r = Dcmtk.run(TIMEOUT, "storescu", "-aet", "MODALITY", "-aec", "SOMEONE", "127.0.0.1", port(),
                file.toString());
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.output()).containsIgnoringCase("Called AE Title Not Recognized");
        assertThat(Files.exists(store.resolve(STUDY))).isFalse();
    }
}
