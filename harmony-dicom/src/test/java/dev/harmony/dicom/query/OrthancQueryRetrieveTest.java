package dev.harmony.dicom.query;

import static dev.harmony.dicom.query.QueryCorpus.S1;
import static dev.harmony.dicom.query.QueryCorpus.S2;
import static dev.harmony.dicom.query.QueryCorpus.S3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.harmony.dicom.Dcmtk;
import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.Orthanc;
import dev.harmony.dicom.Part10;
import dev.harmony.dicom.StoreScp;
import dev.harmony.dicom.TransferSyntax;
import dev.harmony.dicom.Uids;
import dev.harmony.dicom.backend.DicomFileStore;
import dev.harmony.dicom.backend.PacsProxy;
import dev.harmony.dicom.frontend.DicomScp;
import dev.harmony.dicom.internal.file.FileMeta;
import dev.harmony.dicom.scu.DicomClient;
import dev.harmony.dicom.scu.InstanceSink;
import dev.harmony.dicom.scu.Proposal;
import dev.harmony.dicom.scu.ScuAssociation;
import dev.harmony.pipeline.Pipeline;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Query/retrieve against a real Orthanc, in every role: Orthanc as the PACS our {@code DicomClient} and our
 * {@code PacsProxy} query, as the C-MOVE source sending to our SCP, as the C-MOVE destination of our SCP,
 * as the SCU querying and retrieving from our SCP through its REST API, and as the C-GET SCP. What
 * Orthanc says it holds (its REST API, {@code /instances/{id}/file}) is the reference every answer and
 * every received byte is checked against.
 *
 * <p>One Orthanc, one storescp and two listeners of ours serve all tests; each test works on its own
 * studies, so the order of the tests does not matter.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrthancQueryRetrieveTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** A study only Orthanc holds at first, compressed: RLE and JPEG lossless (made by DCMTK). */
    private static final String COMPRESSED = QueryCorpus.ROOT + ".60";
    /** A study only our SCP holds, for moves to Orthanc. */
    private static final String OURS = QueryCorpus.ROOT + ".70";
    /** A study only our SCP holds, for Orthanc's queries and retrieves. */
    private static final String QUERIED = QueryCorpus.ROOT + ".80";
    private static final String RLE = "1.2.840.10008.1.2.5";
    private static final String JPEG_LOSSLESS = "1.2.840.10008.1.2.4.70";

    @TempDir
    static Path tmp;
    private List<Path> corpus;
    private List<Path> compressed;
    private Orthanc orthanc;
    private StoreScp storescp;
    private Pipeline harmony;
    private Pipeline proxy;
    private DicomNode orthancNode;
    private DicomNode harmonyNode;
    private DicomNode proxyNode;
    private final DicomClient client = DicomClient.callingAe("HARMONY").build();

    @BeforeAll
    void start() throws Exception {
        corpus = QueryCorpus.write(tmp.resolve("corpus"));
        compressed = compressedStudy(Files.createDirectories(tmp.resolve("compressed")));
        storescp = StoreScp.start(Files.createDirectories(tmp.resolve("storescp")), "STORESCP");
        int orthancPort = Dcmtk.freePort();
        orthancNode = DicomNode.of("ORTHANC", "127.0.0.1", orthancPort);

        DicomScp scp = DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("HARMONY").moveDestinations(orthancNode).build();
        harmony = Pipeline.builder().name("harmony").frontend(scp)
                .backend(DicomFileStore.under(tmp.resolve("store")).indexed().build()).build();
        harmony.start();
        harmonyNode = DicomNode.of("HARMONY", "127.0.0.1", scp.localPort());

        DicomScp proxyScp = DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("PROXY").build();
        proxy = Pipeline.builder().name("proxy").frontend(proxyScp)
                .backend(PacsProxy.to(orthancNode).callingAe("PROXY").connectTimeout(Duration.ofSeconds(5))
                        .otherwise(DicomFileStore.under(tmp.resolve("proxy-store")).build()).build())
                .build();
        proxy.start();
        proxyNode = DicomNode.of("PROXY", "127.0.0.1", proxyScp.localPort());

        orthanc = Orthanc.start(Files.createDirectories(tmp.resolve("orthanc")), "ORTHANC", orthancPort, Map.of(
                "harmony", harmonyNode, "proxy", proxyNode, "storescp", DicomNode.of("STORESCP", "127.0.0.1", storescp.port())));
        for (Path f : corpus) {
            orthanc.upload(f); // stored by Orthanc as it is, so its files are the corpus files
        }
        for (Path f : compressed) {
            orthanc.upload(f);
        }
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {orthanc, proxy, harmony, storescp}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    // ---- 1. Orthanc as the queried PACS ------------------------------------------------------------------------

    @Test
    void ourFindAgainstOrthancMatchesWhatItsRestApiHolds() throws Exception {
        // PATIENT level, universal and wildcard matching.
        Map<String, String> patients = new TreeMap<>();
        for (JsonNode p : orthanc.json("/patients?expand")) {
            patients.put(p.at("/MainDicomTags/PatientID").asText(), p.at("/MainDicomTags/PatientName").asText());
        }
        assertThat(patients).containsEntry("PID1", "Doe^John").containsEntry("PID2", "Smith^Jane");
        assertThat(byKey(find(orthancNode, QueryModel.PATIENT_ROOT, QueryLevel.PATIENT, QueryKeys.PATIENT_ID, "",
                QueryKeys.PATIENT_NAME, ""), QueryKeys.PATIENT_ID, QueryKeys.PATIENT_NAME)).isEqualTo(patients);
        Map<String, String> smi = new TreeMap<>(patients);
        smi.values().removeIf(name -> !name.startsWith("Smi"));
        assertThat(smi).containsOnlyKeys("PID2");
        assertThat(byKey(find(orthancNode, QueryModel.PATIENT_ROOT, QueryLevel.PATIENT, QueryKeys.PATIENT_ID, "",
                QueryKeys.PATIENT_NAME, "Smi*"), QueryKeys.PATIENT_ID, QueryKeys.PATIENT_NAME)).isEqualTo(smi);

        // STUDY level, a date range: the studies whose StudyDate Orthanc holds in 2020-2021, with their accession.
        Map<String, String> inRange = new TreeMap<>();
        for (JsonNode s : orthanc.json("/studies?expand")) {
            String date = s.at("/MainDicomTags/StudyDate").asText("");
            if (!date.isEmpty() && date.compareTo("20200101") >= 0 && date.compareTo("20211231") <= 0) {
                inRange.put(s.at("/MainDicomTags/StudyInstanceUID").asText(), s.at("/MainDicomTags/AccessionNumber").asText());
            }
        }
        assertThat(inRange).containsOnlyKeys(S1, S2);
        assertThat(byKey(find(orthancNode, QueryModel.STUDY_ROOT, QueryLevel.STUDY, QueryKeys.STUDY_INSTANCE_UID, "",
                QueryKeys.STUDY_DATE, "20200101-20211231", QueryKeys.ACCESSION_NUMBER, ""),
                QueryKeys.STUDY_INSTANCE_UID, QueryKeys.ACCESSION_NUMBER)).isEqualTo(inRange);

        // SERIES level: the series of S1 and their modality.
        Map<String, String> series = new TreeMap<>();
        for (JsonNode s : orthanc.json("/studies/" + orthanc.lookup(S1, "Study").orElseThrow() + "/series")) {
            series.put(s.at("/MainDicomTags/SeriesInstanceUID").asText(), s.at("/MainDicomTags/Modality").asText());
        }
        assertThat(series).hasSize(2);
        assertThat(byKey(find(orthancNode, QueryModel.STUDY_ROOT, QueryLevel.SERIES, QueryKeys.STUDY_INSTANCE_UID, S1,
                QueryKeys.SERIES_INSTANCE_UID, "", QueryKeys.MODALITY, ""), QueryKeys.SERIES_INSTANCE_UID,
                QueryKeys.MODALITY)).isEqualTo(series);

        // IMAGE level: universal, then a UID list of two of the three.
        String s11 = QueryCorpus.series(S1, 1);
        List<String> instances = new ArrayList<>();
        for (JsonNode i : orthanc.json("/series/" + orthanc.lookup(s11, "Series").orElseThrow() + "/instances")) {
            instances.add(i.at("/MainDicomTags/SOPInstanceUID").asText());
        }
        assertThat(instances).hasSize(3);
        assertThat(uids(find(orthancNode, QueryModel.STUDY_ROOT, QueryLevel.IMAGE, QueryKeys.STUDY_INSTANCE_UID, S1,
                QueryKeys.SERIES_INSTANCE_UID, s11, QueryKeys.SOP_INSTANCE_UID, ""), QueryKeys.SOP_INSTANCE_UID))
                .containsExactlyInAnyOrderElementsOf(instances);
        String list = QueryCorpus.instance(S1, 1, 1) + "\\" + QueryCorpus.instance(S1, 1, 3);
        assertThat(uids(find(orthancNode, QueryModel.STUDY_ROOT, QueryLevel.IMAGE, QueryKeys.STUDY_INSTANCE_UID, S1,
                QueryKeys.SERIES_INSTANCE_UID, s11, QueryKeys.SOP_INSTANCE_UID, list), QueryKeys.SOP_INSTANCE_UID))
                .containsExactlyInAnyOrder(QueryCorpus.instance(S1, 1, 1), QueryCorpus.instance(S1, 1, 3));

        // C-CANCEL after the first match: Orthanc ignores it for C-FIND and completes; the association stays in
        // step (late matches are not taken for the next query's) and answers the same query again in full.
        DicomQuery images = query(QueryModel.STUDY_ROOT, QueryLevel.IMAGE, QueryKeys.STUDY_INSTANCE_UID, S1,
                QueryKeys.SERIES_INSTANCE_UID, s11, QueryKeys.SOP_INSTANCE_UID, "");
        try (ScuAssociation a = client.open(orthancNode, List.of(DicomClient.findProposal(QueryModel.STUDY_ROOT),
                Proposal.verification()))) {
            List<Dataset> seen = new ArrayList<>();
            assertThat(a.find(images, m -> seen.add(m) && false)).isIn(0x0000, 0xFE00);
            assertThat(seen).isNotEmpty();
            assertThat(a.echo()).isZero();
            List<Dataset> again = new ArrayList<>();
            assertThat(a.find(images, again::add)).isZero();
            assertThat(uids(again, QueryKeys.SOP_INSTANCE_UID)).containsExactlyInAnyOrderElementsOf(instances);
        }
    }

    @Test
    void findscuThroughOurPacsProxyGetsWhatOrthancAnswers() throws Exception {
        Dcmtk.Result r = Dcmtk.run(TIMEOUT, "findscu", "-v", "-S", "-aet", "FINDSCU", "-aec", "PROXY",
                "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID", "-k", "PatientID",
                "-k", "StudyDate=20200101-20211231", "127.0.0.1", String.valueOf(proxyNode.port()));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains(S1).contains(S2).doesNotContain(S3)
                .contains("Received Final Find Response (Success)");
        Dcmtk.Result direct = Dcmtk.run(TIMEOUT, "findscu", "-v", "-S", "-aet", "FINDSCU", "-aec", "ORTHANC",
                "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID", "-k", "PatientID",
                "-k", "StudyDate=20200101-20211231", "127.0.0.1", String.valueOf(orthancNode.port()));
        assertThat(responses(r.output())).isEqualTo(responses(direct.output())).hasSize(2);

        // Key for key: the relayed answers equal Orthanc's own, at every level.
        for (DicomQuery q : List.of(
                query(QueryModel.PATIENT_ROOT, QueryLevel.PATIENT, QueryKeys.PATIENT_ID, "PID*", QueryKeys.PATIENT_NAME, ""),
                query(QueryModel.STUDY_ROOT, QueryLevel.STUDY, QueryKeys.STUDY_INSTANCE_UID, "",
                        QueryKeys.PATIENT_NAME, "Doe*", QueryKeys.STUDY_DESCRIPTION, ""),
                query(QueryModel.STUDY_ROOT, QueryLevel.SERIES, QueryKeys.STUDY_INSTANCE_UID, S3,
                        QueryKeys.SERIES_INSTANCE_UID, "", QueryKeys.MODALITY, ""),
                query(QueryModel.STUDY_ROOT, QueryLevel.IMAGE, QueryKeys.STUDY_INSTANCE_UID, S1,
                        QueryKeys.SERIES_INSTANCE_UID, QueryCorpus.series(S1, 2), QueryKeys.SOP_INSTANCE_UID, ""))) {
            List<Dataset> theirs = client.find(orthancNode, q);
            assertThat(theirs).as(q.toString()).isNotEmpty();
            assertThat(client.find(proxyNode, q)).as(q.toString()).containsExactlyInAnyOrderElementsOf(theirs);
        }
    }

    // ---- 2. Orthanc as the C-MOVE source ------------------------------------------------------------------------

    @Test
    void orthancMovesAStudyToOurScpAndEveryInstanceArrivesUnchanged() throws Exception {
        RetrieveOutcome o = client.move(orthancNode, query(QueryModel.STUDY_ROOT, QueryLevel.STUDY,
                QueryKeys.STUDY_INSTANCE_UID, S2), "HARMONY", pending -> true);
        List<String> held = instancesOf(S2);
        assertThat(held).hasSize(2);
        assertThat(o.status()).as(orthanc.log()).isZero();
        assertThat(o.completed()).isEqualTo(held.size());
        assertThat(o.failed()).isZero();
        for (String sop : held) {
            assertThat(datasetInStore(tmp.resolve("store"), sop)).as(sop).isEqualTo(orthancDataset(sop));
        }
        // ... and our index answers for them.
        assertThat(uids(find(harmonyNode, QueryModel.STUDY_ROOT, QueryLevel.IMAGE, QueryKeys.STUDY_INSTANCE_UID, S2,
                QueryKeys.SERIES_INSTANCE_UID, QueryCorpus.series(S2, 1), QueryKeys.SOP_INSTANCE_UID, ""), QueryKeys.SOP_INSTANCE_UID)).containsExactlyInAnyOrderElementsOf(held);

        // Compressed instances come in their own transfer syntax (we accept RLE and JPEG), unchanged.
        RetrieveOutcome c = client.move(orthancNode, query(QueryModel.STUDY_ROOT, QueryLevel.STUDY,
                QueryKeys.STUDY_INSTANCE_UID, COMPRESSED), "HARMONY", pending -> true);
        assertThat(c.status()).isZero();
        assertThat(c.completed()).isEqualTo(2);
        for (Path f : compressed) {
            Part10 original = Part10.read(f);
            Part10 stored = Part10.read(fileInStore(tmp.resolve("store"), original.meta().sopInstanceUid()));
            assertThat(stored.meta().transferSyntaxUid()).isEqualTo(original.meta().transferSyntaxUid());
            assertThat(stored.dataset()).isEqualTo(original.dataset()).isEqualTo(orthancDataset(original.meta().sopInstanceUid()));
        }
    }

    @Test
    void movescuThroughOurPacsProxyHasOrthancSendToTheDestination() throws Exception {
        Dcmtk.Result r = Dcmtk.run(TIMEOUT, "movescu", "-v", "-S", "-aet", "MOVER", "-aec", "PROXY", "-aem", "STORESCP",
                "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + S3,
                "127.0.0.1", String.valueOf(proxyNode.port()));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("Received Final Move Response (Success)");
        List<String> held = instancesOf(S3);
        assertThat(held).hasSize(4);
        // The final response came after the sub-operations; storescp may still be renaming its last file.
        Dcmtk.await(TIMEOUT, "storescp to hold the 4 instances of S3", () -> received(storescp, S3).size() == 4);
        for (Path f : received(storescp, S3)) {
            Part10 got = Part10.read(f);
            assertThat(held).contains(got.meta().sopInstanceUid());
            assertThat(got.dataset()).isEqualTo(orthancDataset(got.meta().sopInstanceUid()));
        }
        // A destination Orthanc does not know: its own final status comes back through the proxy unchanged.
        RetrieveOutcome direct = client.move(orthancNode, query(QueryModel.STUDY_ROOT, QueryLevel.STUDY,
                QueryKeys.STUDY_INSTANCE_UID, S3), "NOWHERE", pending -> true);
        RetrieveOutcome relayed = client.move(proxyNode, query(QueryModel.STUDY_ROOT, QueryLevel.STUDY,
                QueryKeys.STUDY_INSTANCE_UID, S3), "NOWHERE", pending -> true);
        assertThat(direct.status()).isNotZero();
        assertThat(relayed.status()).isEqualTo(direct.status());
        assertThat(received(storescp, S3)).hasSize(4);

        // Our client through the proxy: Orthanc's own counts come back.
        RetrieveOutcome o = client.move(proxyNode, query(QueryModel.STUDY_ROOT, QueryLevel.SERIES,
                QueryKeys.STUDY_INSTANCE_UID, S3, QueryKeys.SERIES_INSTANCE_UID, QueryCorpus.series(S3, 1)),
                "STORESCP", pending -> true);
        assertThat(o.status()).isZero();
        assertThat(o.completed()).isEqualTo(3);
        assertThat(o.failed()).isZero();
    }

    /** Orthanc's REST API asking our PacsProxy, which asks Orthanc: the answers are Orthanc's own. */
    @Test
    void orthancQueriesThroughOurPacsProxy() throws Exception {
        Map<String, Object> study = Map.of("Level", "Study", "Query",
                Map.of("PatientID", "PID1", "StudyInstanceUID", "", "StudyDate", "", "AccessionNumber", ""));
        JsonNode relayed = orthanc.post("/modalities/proxy/query", study);
        JsonNode answers = orthanc.json("/queries/" + relayed.path("ID").asText() + "/answers?expand&simplify");
        Map<String, String> got = new TreeMap<>();
        for (JsonNode a : answers) {
            got.put(a.path("StudyInstanceUID").asText(), a.path("AccessionNumber").asText());
        }
        assertThat(got).isEqualTo(Map.of(S1, "ACC1", S2, "ACC2"));

        // Its retrieve through the proxy: the C-MOVE is relayed and Orthanc sends to the destination itself.
        JsonNode series = orthanc.post("/modalities/proxy/query", Map.of("Level", "Series", "Query",
                Map.of("StudyInstanceUID", S1, "SeriesInstanceUID", QueryCorpus.series(S1, 2))));
        assertThat(orthanc.json("/queries/" + series.path("ID").asText() + "/answers")).hasSize(1);
        orthanc.post("/queries/" + series.path("ID").asText() + "/retrieve",
                Map.of("TargetAet", "STORESCP", "Synchronous", true));
        Dcmtk.await(TIMEOUT, "storescp to hold the 2 instances of S1 series 2",
                () -> received(storescp, QueryCorpus.series(S1, 2)).size() == 2);
    }

    // ---- 3. Orthanc as the C-MOVE destination -------------------------------------------------------------------

    @Test
    void ourMoveScpSendsAStudyToOrthancByteForByte() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("ours"));
        List<Path> files = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            files.add(Dcmtk.ctObject(dir, OURS, OURS + ".1", OURS + ".1." + i, 4096));
        }
        // ... and one RLE object: the sub-operation proposes the stored syntax, so Orthanc gets it as stored.
        Path plain = Dcmtk.ctObject(dir, OURS, OURS + ".1", OURS + ".1.4", 4096);
        Path rle = dir.resolve("rle-4.dcm");
        Dcmtk.Result compress = Dcmtk.run(TIMEOUT, "dcmcrle", plain.toString(), rle.toString());
        assertThat(compress.exitCode()).as(compress.output()).isZero();
        files.add(rle);
        assertThat(client.store(harmonyNode, files)).containsOnly(0);
        assertThat(orthanc.lookup(OURS, "Study")).isEmpty();

        Dcmtk.Result r = Dcmtk.run(TIMEOUT, "movescu", "-v", "-S", "-aet", "MOVER", "-aec", "HARMONY", "-aem", "ORTHANC",
                "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + OURS,
                "127.0.0.1", String.valueOf(harmonyNode.port()));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("Received Final Move Response (Success)");
        awaitInstances(OURS, 4);
        for (Path f : files) {
            Part10 original = Part10.read(f);
            String id = orthanc.lookup(original.meta().sopInstanceUid(), "Instance").orElseThrow();
            assertThat(orthanc.json("/instances/" + id + "/metadata?expand").path("TransferSyntax").asText())
                    .isEqualTo(original.meta().transferSyntaxUid());
            assertThat(orthancDataset(original.meta().sopInstanceUid())).as(f.toString()).isEqualTo(original.dataset());
        }
    }

    // ---- 4. Orthanc as the querying and retrieving SCU ----------------------------------------------------------

    @Test
    void orthancQueriesAndRetrievesFromOurScpThroughItsRestApi() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("queried"));
        List<Path> files = new ArrayList<>();
        for (int s = 1; s <= 2; s++) {
            for (int i = 1; i <= 2; i++) {
                files.add(QueryCorpus.write(dir, new Dataset().set(QueryKeys.SPECIFIC_CHARACTER_SET, "ISO_IR 100")
                        .set(QueryKeys.SOP_CLASS_UID, Uids.CT_IMAGE_STORAGE)
                        .set(QueryKeys.SOP_INSTANCE_UID, QueryCorpus.instance(QUERIED, s, i))
                        .set(QueryKeys.PATIENT_NAME, "Query^Orthanc").set(QueryKeys.PATIENT_ID, "PID-Q")
                        .set(QueryKeys.STUDY_DATE, "20230405").set(QueryKeys.ACCESSION_NUMBER, "ACC-Q")
                        .set(QueryKeys.STUDY_INSTANCE_UID, QUERIED)
                        .set(QueryKeys.SERIES_INSTANCE_UID, QueryCorpus.series(QUERIED, s))
                        .set(QueryKeys.MODALITY, "CT").set(QueryKeys.SERIES_NUMBER, Integer.toString(s))
                        .set(QueryKeys.INSTANCE_NUMBER, Integer.toString(i))));
            }
        }
        assertThat(client.store(harmonyNode, files)).containsOnly(0);

        // C-FIND from Orthanc: study level by patient, then the series of that study.
        JsonNode studyQuery = orthanc.post("/modalities/harmony/query", Map.of("Level", "Study", "Query",
                Map.of("PatientID", "PID-Q", "StudyInstanceUID", "", "StudyDate", "", "AccessionNumber", "")));
        JsonNode studies = orthanc.json("/queries/" + studyQuery.path("ID").asText() + "/answers?expand&simplify");
        assertThat(studies).as(orthanc.log()).hasSize(1);
        assertThat(studies.get(0).path("StudyInstanceUID").asText()).isEqualTo(QUERIED);
        assertThat(studies.get(0).path("StudyDate").asText()).isEqualTo("20230405");
        assertThat(studies.get(0).path("AccessionNumber").asText()).isEqualTo("ACC-Q");
        assertThat(studies.get(0).path("PatientID").asText()).isEqualTo("PID-Q");

        JsonNode seriesQuery = orthanc.post("/modalities/harmony/query", Map.of("Level", "Series", "Query",
                Map.of("StudyInstanceUID", QUERIED, "SeriesInstanceUID", "", "Modality", "")));
        String seriesQueryId = seriesQuery.path("ID").asText();
        TreeSet<String> series = new TreeSet<>();
        for (JsonNode a : orthanc.json("/queries/" + seriesQueryId + "/answers?expand&simplify")) {
            assertThat(a.path("Modality").asText()).isEqualTo("CT");
            series.add(a.path("SeriesInstanceUID").asText());
        }
        assertThat(series).containsExactly(QueryCorpus.series(QUERIED, 1), QueryCorpus.series(QUERIED, 2));

        // C-MOVE from Orthanc: one instance first (Orthanc's /modalities/{id}/move), then the rest by its query.
        String first = QueryCorpus.instance(QUERIED, 1, 1);
        orthanc.post("/modalities/harmony/move", Map.of("Level", "Instance", "TargetAet", "ORTHANC", "Synchronous", true,
                "Resources", List.of(Map.of("StudyInstanceUID", QUERIED, "SeriesInstanceUID",
                        QueryCorpus.series(QUERIED, 1), "SOPInstanceUID", first))));
        assertThat(instancesOf(QUERIED)).as(orthanc.log()).containsExactly(first);

        orthanc.post("/queries/" + seriesQueryId + "/retrieve", Map.of("TargetAet", "ORTHANC", "Synchronous", true));
        awaitInstances(QUERIED, 4);
        for (Path f : files) {
            Part10 original = Part10.read(f);
            assertThat(orthancDataset(original.meta().sopInstanceUid())).as(f.toString()).isEqualTo(original.dataset());
        }
    }

    /**
     * Orthanc 1.10 moves a whole patient with a Study Root C-MOVE at PATIENT level (a level Study Root does not
     * have); our SCP refused it with A900 until it learned to read it as the Patient Root retrieve it means.
     */
    @Test
    void orthancMovesAWholePatientFromOurScpAndSeesOurRefusalsAsTheyAre() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("patient"));
        String[] studies = {QueryCorpus.ROOT + ".90", QueryCorpus.ROOT + ".91"};
        List<Path> files = new ArrayList<>();
        for (String study : studies) {
            for (int i = 1; i <= 2; i++) {
                files.add(QueryCorpus.write(dir, new Dataset().set(QueryKeys.SPECIFIC_CHARACTER_SET, "ISO_IR 100")
                        .set(QueryKeys.SOP_CLASS_UID, Uids.CT_IMAGE_STORAGE)
                        .set(QueryKeys.SOP_INSTANCE_UID, QueryCorpus.instance(study, 1, i))
                        .set(QueryKeys.PATIENT_NAME, "Whole^Patient").set(QueryKeys.PATIENT_ID, "PID-W")
                        .set(QueryKeys.PATIENT_BIRTH_DATE, "19600101").set(QueryKeys.STUDY_DATE, "20240101")
                        .set(QueryKeys.STUDY_INSTANCE_UID, study).set(QueryKeys.SERIES_INSTANCE_UID, QueryCorpus.series(study, 1))
                        .set(QueryKeys.MODALITY, "CT").set(QueryKeys.INSTANCE_NUMBER, Integer.toString(i))));
            }
        }
        assertThat(client.store(harmonyNode, files)).containsOnly(0);
        assertThat(orthanc.post("/modalities/harmony/echo", Map.of())).isEmpty(); // {} is Orthanc's success

        // PATIENT level query, wildcard and returned keys, as Orthanc reads our answer.
        JsonNode q = orthanc.post("/modalities/harmony/query", Map.of("Level", "Patient",
                "Query", Map.of("PatientID", "PID-W*", "PatientName", "", "PatientBirthDate", "")));
        JsonNode patients = orthanc.json("/queries/" + q.path("ID").asText() + "/answers?expand&simplify");
        assertThat(patients).hasSize(1);
        assertThat(patients.get(0).path("PatientName").asText()).isEqualTo("Whole^Patient");
        assertThat(patients.get(0).path("PatientBirthDate").asText()).isEqualTo("19600101");

        orthanc.post("/modalities/harmony/move", Map.of("Level", "Patient", "TargetAet", "ORTHANC", "Synchronous", true,
                "Resources", List.of(Map.of("PatientID", "PID-W"))));
        for (String study : studies) {
            awaitInstances(study, 2);
        }
        for (Path f : files) {
            Part10 original = Part10.read(f);
            assertThat(orthancDataset(original.meta().sopInstanceUid())).as(f.toString()).isEqualTo(original.dataset());
        }

        // A destination we do not know: Orthanc's job fails with our A801, and nothing more arrives.
        int before = orthanc.json("/instances").size();
        assertThatThrownBy(() -> orthanc.post("/modalities/harmony/move", Map.of("Level", "Study", "TargetAet",
                "NOWHERE", "Synchronous", true, "Resources", List.of(Map.of("StudyInstanceUID", studies[0])))))
                .isInstanceOf(IOException.class).hasMessageContaining("0xA801");
        assertThat(orthanc.json("/instances").size()).isEqualTo(before);
    }

    /** ISO_IR 100 names: Orthanc's Latin-1 wildcards match at our SCP, ours at Orthanc, and the text survives. */
    @Test
    void latin1NamesMatchAndComeBackUnchangedBothWays() throws Exception {
        String study = QueryCorpus.ROOT + ".95";
        String name = "M\u00fcller^J\u00f6rg";
        Path f = QueryCorpus.write(Files.createDirectories(tmp.resolve("latin1")), new Dataset()
                .set(QueryKeys.SPECIFIC_CHARACTER_SET, "ISO_IR 100").set(QueryKeys.SOP_CLASS_UID, Uids.CT_IMAGE_STORAGE)
                .set(QueryKeys.SOP_INSTANCE_UID, study + ".1.1").set(QueryKeys.PATIENT_NAME, name)
                .set(QueryKeys.PATIENT_ID, "PID-L").set(QueryKeys.STUDY_INSTANCE_UID, study)
                .set(QueryKeys.SERIES_INSTANCE_UID, study + ".1").set(QueryKeys.MODALITY, "CT"));
        assertThat(client.store(harmonyNode, List.of(f))).containsOnly(0);
        orthanc.upload(f);
        for (String pattern : List.of("M\u00fc*", "*ller^J\u00f6*", "M?ller*")) {
            JsonNode q = orthanc.post("/modalities/harmony/query", Map.of("Level", "Study", "Query",
                    Map.of("PatientName", pattern, "StudyInstanceUID", "", "ModalitiesInStudy", "CT\\MR")));
            JsonNode answers = orthanc.json("/queries/" + q.path("ID").asText() + "/answers?expand&simplify");
            assertThat(answers).as(pattern).hasSize(1);
            assertThat(answers.get(0).path("PatientName").asText()).isEqualTo(name);
            assertThat(answers.get(0).path("StudyInstanceUID").asText()).isEqualTo(study);
            if (pattern.contains("?")) {
                continue; // Orthanc matches '?' against its UTF-8 copy, one byte of the two of 'ü': no match there
            }
            List<Dataset> theirs = find(orthancNode, QueryModel.STUDY_ROOT, QueryLevel.STUDY,
                    QueryKeys.SPECIFIC_CHARACTER_SET, "ISO_IR 100", QueryKeys.PATIENT_NAME, pattern,
                    QueryKeys.STUDY_INSTANCE_UID, "");
            assertThat(byKey(theirs, QueryKeys.STUDY_INSTANCE_UID, QueryKeys.PATIENT_NAME)).as(pattern)
                    .isEqualTo(Map.of(study, name));
        }
    }

    // ---- 5. C-GET with Orthanc, compressed objects ----------------------------------------------------------------

    @Test
    void getFromOrthancBringsCompressedAndUncompressedInstancesAsStored() throws Exception {
        Map<String, Received> got = new TreeMap<>();
        RetrieveOutcome r = client.get(orthancNode, query(QueryModel.STUDY_ROOT, QueryLevel.STUDY,
                QueryKeys.STUDY_INSTANCE_UID, COMPRESSED), List.of(Uids.CT_IMAGE_STORAGE), collect(got));
        assertThat(r.status()).as(orthanc.log()).isZero();
        assertThat(r.completed()).isEqualTo(2);
        assertThat(r.failed()).isZero();
        assertArrivedAsStored(got, compressed);
        for (var e : got.entrySet()) {
            assertThat(e.getValue().dataset()).isEqualTo(orthancDataset(e.getKey()));
        }

        // An uncompressed study, several classes: as Orthanc holds it.
        Map<String, Received> s1 = new TreeMap<>();
        RetrieveOutcome plain = client.get(orthancNode, query(QueryModel.PATIENT_ROOT, QueryLevel.STUDY,
                QueryKeys.PATIENT_ID, "PID1", QueryKeys.STUDY_INSTANCE_UID, S1),
                List.of(Uids.CT_IMAGE_STORAGE, QueryCorpus.MR_STORAGE), collect(s1));
        assertThat(plain.status()).isZero();
        assertThat(plain.completed()).isEqualTo(5);
        assertThat(s1.keySet()).containsExactlyInAnyOrderElementsOf(instancesOf(S1));
        for (var e : s1.entrySet()) {
            assertThat(e.getValue().transferSyntax()).isEqualTo(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid());
            assertThat(e.getValue().dataset()).isEqualTo(orthancDataset(e.getKey()));
        }

        // C-CANCEL after the first Pending: Orthanc stops (FE00) and what it sent arrived whole. Orthanc's final
        // count may leave out the sub-operation that was in flight when it read the cancel (we did get that one).
        Map<String, Received> partial = new TreeMap<>();
        RetrieveOutcome cancelled = client.get(orthancNode, query(QueryModel.STUDY_ROOT, QueryLevel.STUDY,
                QueryKeys.STUDY_INSTANCE_UID, S1), List.of(Uids.CT_IMAGE_STORAGE), collect(partial), progress -> false);
        assertThat(cancelled.status()).isEqualTo(0xFE00);
        assertThat(cancelled.completed()).isBetween(1, 4);
        assertThat(partial.size()).isBetween(cancelled.completed(), cancelled.completed() + 1).isLessThan(5);
        for (var e : partial.entrySet()) {
            assertThat(e.getValue().dataset()).isEqualTo(orthancDataset(e.getKey()));
        }

        // Offered only explicit VR little endian, Orthanc decompresses: what arrives is no longer what it stores.
        Map<String, Received> decompressed = new TreeMap<>();
        RetrieveOutcome transcoded = client.get(orthancNode, query(QueryModel.STUDY_ROOT, QueryLevel.STUDY,
                QueryKeys.STUDY_INSTANCE_UID, COMPRESSED), Map.of(Uids.CT_IMAGE_STORAGE,
                List.of(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN)), collect(decompressed), progress -> true);
        assertThat(transcoded.completed()).isEqualTo(2);
        for (var e : decompressed.entrySet()) {
            assertThat(e.getValue().transferSyntax()).isEqualTo(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid());
            assertThat(e.getValue().dataset()).isNotEqualTo(orthancDataset(e.getKey()));
        }
    }

    @Test
    void getFromOurScpBringsCompressedInstancesAsStored() throws Exception {
        assertThat(client.store(harmonyNode, compressed)).containsOnly(0);
        Map<String, Received> got = new TreeMap<>();
        DicomQuery study = query(QueryModel.STUDY_ROOT, QueryLevel.STUDY, QueryKeys.STUDY_INSTANCE_UID, COMPRESSED);
        RetrieveOutcome r = client.get(harmonyNode, study, List.of(Uids.CT_IMAGE_STORAGE), collect(got));
        assertThat(r.status()).isZero();
        assertThat(r.completed()).isEqualTo(2);
        assertArrivedAsStored(got, compressed);

        // The context budget (127 storage contexts) is checked before anything is sent.
        List<String> twelve = new ArrayList<>();
        for (int n = 1; n <= 12; n++) {
            twelve.add("1.2.840.10008.5.1.4.1.1." + n);
        }
        assertThatThrownBy(() -> client.get(harmonyNode, study, twelve, collect(new TreeMap<>())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 127 storage contexts");
        assertThatThrownBy(() -> client.get(harmonyNode, study, Map.of(Uids.CT_IMAGE_STORAGE, List.of()),
                collect(new TreeMap<>()), progress -> true)).isInstanceOf(IllegalArgumentException.class);

        // We do not transcode: offered only uncompressed syntaxes, both are failed sub-operations (none done: A702).
        RetrieveOutcome refused = client.get(harmonyNode, study, Map.of(Uids.CT_IMAGE_STORAGE,
                List.of(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN)),
                collect(new TreeMap<>()), progress -> true);
        assertThat(refused.status()).isEqualTo(0xA702);
        assertThat(refused.completed()).isZero();
        assertThat(refused.failed()).isEqualTo(2);
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    /** What one C-STORE sub-operation of a C-GET brought. */
    private record Received(String transferSyntax, byte[] dataset) {
    }

    private static InstanceSink collect(Map<String, Received> into) {
        return (sopClass, sopInstance, ts, dataset) -> into.put(sopInstance, new Received(ts, dataset.readAllBytes()));
    }

    private static void assertArrivedAsStored(Map<String, Received> got, List<Path> files) throws IOException {
        assertThat(got).hasSize(files.size());
        for (Path f : files) {
            Part10 original = Part10.read(f);
            Received r = got.get(original.meta().sopInstanceUid());
            assertThat(r).as(f.toString()).isNotNull();
            assertThat(r.transferSyntax()).isEqualTo(original.meta().transferSyntaxUid());
            assertThat(r.dataset()).isEqualTo(original.dataset());
        }
    }

    /** Two CT objects of one study, one RLE lossless and one JPEG lossless, compressed by DCMTK. */
    private static List<Path> compressedStudy(Path dir) throws IOException, InterruptedException {
        Path a = Dcmtk.ctObject(dir, COMPRESSED, COMPRESSED + ".1", COMPRESSED + ".1.1", 8192);
        Path b = Dcmtk.ctObject(dir, COMPRESSED, COMPRESSED + ".1", COMPRESSED + ".1.2", 8192);
        Path rle = dir.resolve("rle.dcm");
        Path jpeg = dir.resolve("jpeg.dcm");
        for (Dcmtk.Result r : List.of(Dcmtk.run(TIMEOUT, "dcmcrle", a.toString(), rle.toString()),
                Dcmtk.run(TIMEOUT, "dcmcjpeg", b.toString(), jpeg.toString()))) {
            assertThat(r.exitCode()).as(r.output()).isZero();
        }
        assertThat(Part10.read(rle).meta().transferSyntaxUid()).isEqualTo(RLE);
        assertThat(Part10.read(jpeg).meta().transferSyntaxUid()).isEqualTo(JPEG_LOSSLESS);
        return List.of(rle, jpeg);
    }

    private static DicomQuery query(QueryModel model, QueryLevel level, Object... keys) {
        Dataset d = new Dataset();
        for (int i = 0; i < keys.length; i += 2) {
            d.set((Integer) keys[i], (String) keys[i + 1]);
        }
        return DicomQuery.of(model, level, d);
    }

    private List<Dataset> find(DicomNode node, QueryModel model, QueryLevel level, Object... keys) throws IOException {
        return client.find(node, query(model, level, keys));
    }

    private static Map<String, String> byKey(List<Dataset> matches, int key, int value) {
        Map<String, String> m = new TreeMap<>();
        for (Dataset d : matches) {
            assertThat(m.put(d.string(key).orElse("<absent>"), d.string(value).orElse(""))).as("duplicate " + d).isNull();
        }
        return m;
    }

    private static List<String> uids(List<Dataset> matches, int key) {
        return matches.stream().map(d -> d.string(key).orElse("<absent>")).toList();
    }

    /**
     * The SOP instance UIDs of the study {@code uid} as Orthanc's REST API lists them (empty if none); by
     * {@code /tools/find}, as Orthanc keeps one study per (patient, study UID) and DCMTK-made objects differ in
     * patient ID.
     */
    private List<String> instancesOf(String uid) throws IOException, InterruptedException {
        List<String> sops = new ArrayList<>();
        for (JsonNode i : orthanc.post("/tools/find", Map.of("Level", "Instance", "Expand", true,
                "Query", Map.of("StudyInstanceUID", uid)))) {
            sops.add(i.at("/MainDicomTags/SOPInstanceUID").asText());
        }
        return sops;
    }

    /** Polls Orthanc's REST API until the study holds {@code count} instances, or fails after the timeout. */
    private void awaitInstances(String study, int count) throws InterruptedException {
        Dcmtk.await(TIMEOUT, "Orthanc to hold " + count + " instances of " + study, () -> {
            try {
                return instancesOf(study).size() == count;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
    }

    /** The data set (no meta) of the file Orthanc holds for {@code sopInstanceUid}. */
    private byte[] orthancDataset(String sopInstanceUid) throws IOException, InterruptedException {
        byte[] file = orthanc.bytes("/instances/" + orthanc.lookup(sopInstanceUid, "Instance").orElseThrow() + "/file");
        try (InputStream in = new ByteArrayInputStream(file)) {
            return FileMeta.read(in).dataset().readAllBytes();
        }
    }

    private static byte[] datasetInStore(Path store, String sopInstanceUid) throws IOException {
        return Part10.read(fileInStore(store, sopInstanceUid)).dataset();
    }

    private static Path fileInStore(Path store, String sopInstanceUid) throws IOException {
        try (Stream<Path> files = Files.walk(store)) {
            return files.filter(p -> p.getFileName().toString().equals(sopInstanceUid + ".dcm")).findFirst()
                    .orElseThrow(() -> new AssertionError(sopInstanceUid + " is not in " + store));
        }
    }

    /** The files storescp holds whose SOP instance UID (it names them MODALITY.UID) starts with {@code prefix}. */
    private static List<Path> received(StoreScp storescp, String prefix) {
        try (Stream<Path> files = Files.list(storescp.dir())) {
            return files.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().contains("." + prefix + "."))
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** findscu's printed responses (the data set dumps between "Find Response" lines), sorted. */
    private static List<String> responses(String output) {
        List<String> out = new ArrayList<>();
        String[] blocks = output.split("I: Find Response: ");
        for (String block : java.util.Arrays.copyOfRange(blocks, 1, blocks.length)) { // [0] is the request
            if (block.contains("StudyInstanceUID")) {
                out.add(block.lines().filter(l -> l.contains("(0020,000d)") || l.contains("(0010,0020)")
                        || l.contains("(0008,0020)")).sorted().reduce("", (x, y) -> x + y + "\n"));
            }
        }
        out.sort(null);
        return out;
    }
}
