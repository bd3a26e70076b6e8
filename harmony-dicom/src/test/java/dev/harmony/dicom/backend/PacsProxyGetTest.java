package dev.harmony.dicom.backend;

import static dev.harmony.dicom.query.QueryCorpus.PR_STORAGE;
import static dev.harmony.dicom.query.QueryCorpus.S1;
import static dev.harmony.dicom.query.QueryCorpus.S3;
import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.dicom.DcmQrScp;
import dev.harmony.dicom.Dcmtk;
import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.TransferSyntax;
import dev.harmony.dicom.Uids;
import dev.harmony.dicom.frontend.DicomScp;
import dev.harmony.dicom.internal.codec.ToImplicitVr;
import dev.harmony.dicom.internal.file.FileMeta;
import dev.harmony.dicom.query.Dataset;
import dev.harmony.dicom.query.DicomQuery;
import dev.harmony.dicom.query.QueryCorpus;
import dev.harmony.dicom.query.QueryKeys;
import dev.harmony.dicom.query.QueryLevel;
import dev.harmony.dicom.query.QueryModel;
import dev.harmony.dicom.query.RetrieveOutcome;
import dev.harmony.dicom.scu.DicomClient;
import dev.harmony.dicom.scu.DimseStatusException;
import dev.harmony.dicom.scu.InstanceSink;
import dev.harmony.dicom.scu.Proposal;
import dev.harmony.dicom.scu.ScuAssociation;
import dev.harmony.pipeline.Pipeline;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A modality's C-GET relayed by the PACS proxy to DCMTK dcmqrscp: getscu (and our client) as the modality
 * get every instance back on their own association, byte-identical, with Pending responses counting what
 * the modality took; an instance in a syntax the modality did not accept is re-encoded to implicit VR, a
 * class it did not accept is failed without being sent, and its refusals count as failed.
 */
class PacsProxyGetTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String IMPLICIT = TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN.uid();
    private static final String EXPLICIT = TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid();
    private final DicomClient client = DicomClient.callingAe("MODALITY").build();

    @TempDir
    Path tmp;

    private static Pipeline proxy(int pacsPort) {
        Pipeline p = Pipeline.builder().name("proxy")
                .frontend(DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("HARMONY").build())
                .backend(PacsProxy.to(DicomNode.of("QRSCP", "127.0.0.1", pacsPort)).callingAe("HARMONY")
                        .connectTimeout(Duration.ofSeconds(5)).build())
                .build();
        p.start();
        return p;
    }

    private static DicomNode harmony(Pipeline p) {
        return DicomNode.of("HARMONY", "127.0.0.1", ((DicomScp) p.frontend()).localPort());
    }

    private static DicomQuery study(String uid) {
        return DicomQuery.of(QueryModel.STUDY_ROOT, QueryLevel.STUDY, new Dataset().set(QueryKeys.STUDY_INSTANCE_UID, uid));
    }

    private static Dcmtk.Result getscu(Pipeline p, Path out, String study, String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Dcmtk.require("getscu"), "-v", "-S", "-aet", "GETTER", "-aec",
                "HARMONY", "-od", out.toString()));
        cmd.addAll(List.of(options));
        cmd.addAll(List.of("-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + study, "127.0.0.1",
                String.valueOf(harmony(p).port())));
        return Dcmtk.run(cmd, TIMEOUT);
    }

    @Test
    void getscuGetsEveryInstanceOfAStudyByteIdenticalThroughTheProxy() throws Exception {
        List<Path> corpus = QueryCorpus.write(tmp.resolve("corpus"));
        try (DcmQrScp pacs = DcmQrScp.start(tmp, "QRSCP", corpus); Pipeline p = proxy(pacs.port())) {
            Path out = Files.createDirectories(tmp.resolve("got-s1"));
            Dcmtk.Result r = getscu(p, out, S1);
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(r.output()).as(r.output()).contains("Received C-GET Response (Success)")
                    .contains("Number of Completed Suboperations : 5").contains("Number of Failed Suboperations    : 0");
            assertIdentical(datasets(list(out)), corpus, S1);

            // the listener serves the next one: a study with a presentation state as well
            Path out3 = Files.createDirectories(tmp.resolve("got-s3"));
            Dcmtk.Result r3 = getscu(p, out3, S3);
            assertThat(r3.exitCode()).as(r3.output()).isZero();
            assertThat(r3.output()).contains("Number of Completed Suboperations : 4");
            assertIdentical(datasets(list(out3)), corpus, S3);
        }
    }

    @Test
    void pendingResponsesCountWhatTheModalityTookAndEndInSuccess() throws Exception {
        List<Path> corpus = QueryCorpus.write(tmp.resolve("corpus"));
        try (DcmQrScp pacs = DcmQrScp.start(tmp, "QRSCP", corpus); Pipeline p = proxy(pacs.port())) {
            Map<String, byte[]> got = new LinkedHashMap<>();
            List<RetrieveOutcome> pendings = new ArrayList<>();
            RetrieveOutcome end = client.get(harmony(p), study(S1), List.of(Uids.CT_IMAGE_STORAGE),
                    collect(got, EXPLICIT), pendings::add);
            assertThat(end).isEqualTo(new RetrieveOutcome(0, -1, 5, 0, 0));
            assertThat(pendings).isNotEmpty();
            for (int i = 0; i < pendings.size(); i++) {
                RetrieveOutcome o = pendings.get(i);
                assertThat(o.status()).isEqualTo(0xFF00);
                assertThat(o.completed() + o.remaining()).as(o.toString()).isEqualTo(5);
                assertThat(o.failed()).isZero();
                if (i > 0) {
                    assertThat(o.completed()).isGreaterThanOrEqualTo(pendings.get(i - 1).completed());
                }
            }
            assertIdentical(got, corpus, S1);
        }
    }

    /**
     * The modality takes CT only in implicit VR: the proxy asks for explicit too and re-encodes what comes.
     * (DCMTK 3.6.7's getscu proposes its storage contexts in explicit VR only, whatever +xi says, so our
     * client plays this modality.)
     */
    @Test
    void anExplicitVrInstanceIsReencodedForAModalityThatTookOnlyImplicitVr() throws Exception {
        List<Path> corpus = QueryCorpus.write(tmp.resolve("corpus"));
        try (DcmQrScp pacs = DcmQrScp.start(tmp, "QRSCP", corpus); Pipeline p = proxy(pacs.port())) {
            Map<String, byte[]> got = new LinkedHashMap<>();
            RetrieveOutcome end = client.get(harmony(p), study(S1),
                    Map.of(Uids.CT_IMAGE_STORAGE, List.of(TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN)),
                    collect(got, IMPLICIT), o -> true);
            assertThat(end).isEqualTo(new RetrieveOutcome(0, -1, 5, 0, 0));
            Map<String, byte[]> expected = new HashMap<>();
            for (Path f : corpus) {
                try (InputStream in = Files.newInputStream(f)) {
                    FileMeta.Opened o = FileMeta.read(in);
                    ByteArrayOutputStream implicit = new ByteArrayOutputStream();
                    ToImplicitVr.transcode(o.dataset(), implicit);
                    expected.put(o.meta().sopInstanceUid(), implicit.toByteArray());
                }
            }
            assertThat(got).hasSize(5);
            for (Map.Entry<String, byte[]> e : got.entrySet()) {
                assertThat(e.getValue()).as(e.getKey()).isEqualTo(expected.get(e.getKey()));
                // and it decodes as implicit VR: the study it belongs to is readable
                assertThat(Dataset.decode(e.getValue(), TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN)
                        .string(QueryKeys.STUDY_INSTANCE_UID)).contains(S1);
            }
        }
    }

    /** S3 holds 3 CT and 1 presentation state; the modality took CT only: the state fails, nothing else. */
    @Test
    void aClassTheModalityDidNotAcceptIsFailedAndTheRestArrives() throws Exception {
        List<Path> corpus = QueryCorpus.write(tmp.resolve("corpus"));
        try (DcmQrScp pacs = DcmQrScp.start(tmp, "QRSCP", corpus); Pipeline p = proxy(pacs.port())) {
            Map<String, byte[]> got = new LinkedHashMap<>();
            RetrieveOutcome end = client.get(harmony(p), study(S3), List.of(Uids.CT_IMAGE_STORAGE),
                    collect(got, EXPLICIT), o -> true);
            assertThat(end.status()).as(end.toString()).isEqualTo(0xB000);
            assertThat(end.completed()).isEqualTo(3);
            assertThat(end.failed()).isEqualTo(1);
            assertThat(got).hasSize(3);
        }
    }

    /** The modality refuses the presentation state (A700): it counts failed and the rest continues. */
    @Test
    void aSubOperationTheModalityRefusesIsCountedFailedAndTheRestContinues() throws Exception {
        List<Path> corpus = QueryCorpus.write(tmp.resolve("corpus"));
        try (DcmQrScp pacs = DcmQrScp.start(tmp, "QRSCP", corpus); Pipeline p = proxy(pacs.port())) {
            Map<String, byte[]> got = new LinkedHashMap<>();
            InstanceSink picky = (sopClass, sopInstance, ts, dataset) -> {
                if (sopClass.equals(PR_STORAGE)) {
                    throw new DimseStatusException("no room for presentation states", 0xA700);
                }
                got.put(sopInstance, dataset.readAllBytes());
            };
            RetrieveOutcome end = client.get(harmony(p), study(S3), List.of(Uids.CT_IMAGE_STORAGE, PR_STORAGE),
                    picky, o -> true);
            assertThat(List.of(end.status(), end.remaining(), end.completed(), end.failed(), end.warning()))
                    .isEqualTo(List.of(0xB000, -1, 3, 1, 0));
            assertThat(end.refusedByUs()).containsExactly(QueryCorpus.instance(S3, 2, 1));
            assertThat(got).hasSize(3);
            assertThat(pacs.log()).doesNotContain("Segmentation fault");

            // a modality that takes nothing it gets: A702, every one failed
            RetrieveOutcome none = client.get(harmony(p), study(S3), List.of(Uids.CT_IMAGE_STORAGE, PR_STORAGE),
                    (sopClass, sopInstance, ts, dataset) -> {
                        throw new IOException("full");
                    }, o -> true);
            assertThat(List.of(none.status(), none.remaining(), none.completed(), none.failed(), none.warning()))
                    .isEqualTo(List.of(0xA702, -1, 0, 4, 0));
        }
    }

    /** No storage context with SCP role at all: the PACS is asked with none either, so nothing is sent. */
    @Test
    void aModalityThatTookNoStorageRoleGetsA702WithEveryInstanceFailedAndNothingSent() throws Exception {
        List<Path> corpus = QueryCorpus.write(tmp.resolve("corpus"));
        try (DcmQrScp pacs = DcmQrScp.start(tmp, "QRSCP", corpus); Pipeline p = proxy(pacs.port())) {
            List<String> sent = new ArrayList<>();
            RetrieveOutcome end = client.get(harmony(p), study(S1), Map.of(), (sopClass, sopInstance, ts, dataset) ->
                    sent.add(sopInstance), o -> true);
            assertThat(end.status()).as(end.toString()).isEqualTo(0xA702);
            assertThat(end.completed()).isZero();
            assertThat(end.failed()).isEqualTo(5);
            assertThat(sent).isEmpty();

            // a CT storage context accepted, but no SCP role asked for: no sub-operation may come back on it
            List<String> roleless = new ArrayList<>();
            RetrieveOutcome noRole;
            try (ScuAssociation a = client.open(harmony(p), List.of(
                    Proposal.of(QueryModel.STUDY_ROOT.getSopClass(), TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN),
                    Proposal.of(Uids.CT_IMAGE_STORAGE, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN)))) {
                assertThat(a.supports(Uids.CT_IMAGE_STORAGE, EXPLICIT)).isTrue();
                noRole = a.get(study(S1), (sopClass, sopInstance, ts, dataset) -> roleless.add(sopInstance));
            }
            assertThat(noRole.status()).as(noRole.toString()).isEqualTo(0xA702);
            assertThat(noRole.failed()).isEqualTo(5);
            assertThat(roleless).isEmpty();
            // and the next C-GET on the same listener works
            Map<String, byte[]> got = new LinkedHashMap<>();
            assertThat(client.get(harmony(p), study(S1), List.of(Uids.CT_IMAGE_STORAGE), collect(got, EXPLICIT),
                    o -> true).completed()).isEqualTo(5);
        }
    }

    @Test
    void aPacsThatIsDownIsA701() throws Exception {
        try (Pipeline p = proxy(Dcmtk.freePort())) {
            RetrieveOutcome down = client.get(harmony(p), study(S1), List.of(Uids.CT_IMAGE_STORAGE), (a, b, c, d) -> {
            }, o -> true);
            assertThat(down).isEqualTo(new RetrieveOutcome(0xA701, -1, -1, -1, -1));
        }
    }

    private static InstanceSink collect(Map<String, byte[]> into, String expectedSyntax) {
        return (sopClass, sopInstance, transferSyntax, dataset) -> {
            assertThat(transferSyntax).isEqualTo(expectedSyntax);
            into.put(sopInstance, dataset.readAllBytes());
        };
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }

    /** Every instance of {@code study} in the corpus arrived, its data set as the PACS holds it. */
    private static void assertIdentical(Map<String, byte[]> got, List<Path> corpus, String study) throws IOException {
        Map<String, byte[]> sent = new HashMap<>();
        datasets(corpus).forEach((uid, bytes) -> {
            if (uid.startsWith(study + ".")) {
                sent.put(uid, bytes);
            }
        });
        assertThat(sent).isNotEmpty();
        assertThat(got.keySet()).isEqualTo(sent.keySet());
        sent.forEach((uid, bytes) -> assertThat(got.get(uid)).as(uid).isEqualTo(bytes));
    }

    /** SOP Instance UID -> the data set bytes (what follows the file meta) of each Part-10 file. */
    private static Map<String, byte[]> datasets(List<Path> files) throws IOException {
        Map<String, byte[]> out = new HashMap<>();
        for (Path f : files) {
            try (InputStream in = Files.newInputStream(f)) {
                FileMeta.Opened o = FileMeta.read(in);
                out.put(o.meta().sopInstanceUid(), o.dataset().readAllBytes());
            }
        }
        return out;
    }
}
