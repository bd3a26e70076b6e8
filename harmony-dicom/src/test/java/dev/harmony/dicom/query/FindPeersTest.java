package dev.harmony.dicom.query;

import static dev.harmony.dicom.query.QueryCorpus.S1;
import static dev.harmony.dicom.query.QueryCorpus.S2;
import static dev.harmony.dicom.query.QueryCorpus.S3;
import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.dicom.DcmQrScp;
import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.Orthanc;
import dev.harmony.dicom.backend.DicomFileStore;
import dev.harmony.dicom.frontend.DicomScp;
import dev.harmony.dicom.scu.DicomClient;
import dev.harmony.dicom.scu.ScuAssociation;
import dev.harmony.pipeline.Pipeline;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our {@code DicomClient.find} against DCMTK dcmqrscp, Orthanc and our own SCP, all holding the same
 * corpus: the same queries must find the same entities everywhere.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FindPeersTest {
    @TempDir
    static Path tmp;
    private DcmQrScp dcmqrscp;
    private Orthanc orthanc;
    private Pipeline ours;
    private Map<String, DicomNode> peers;
    private final DicomClient client = DicomClient.callingAe("HARMONYSCU").build();

    @BeforeAll
    void start() throws Exception {
        List<Path> files = QueryCorpus.write(tmp.resolve("corpus"));
        dcmqrscp = DcmQrScp.start(tmp, "QRSCP", files);
        orthanc = Orthanc.start(tmp, "ORTHANC");
        DicomScp scp = DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("HARMONY").build();
        ours = Pipeline.builder().name("peers").frontend(scp).backend(DicomFileStore.under(tmp.resolve("store"))
                .indexed().build()).build();
        ours.start();
        peers = new TreeMap<>(Map.of(
                "dcmqrscp", DicomNode.of("QRSCP", "127.0.0.1", dcmqrscp.port()),
                "orthanc", DicomNode.of("ORTHANC", "127.0.0.1", orthanc.dicomPort()),
                "harmony", DicomNode.of("HARMONY", "127.0.0.1", scp.localPort())));
        for (String name : List.of("orthanc", "harmony")) {
            assertThat(client.store(peers.get(name), files)).as(name).containsOnly(0);
        }
    }

    @AfterAll
    void stop() {
        if (ours != null) {
            ours.close();
        }
        if (orthanc != null) {
            orthanc.close();
        }
        if (dcmqrscp != null) {
            dcmqrscp.close();
        }
    }

    private Map<String, List<String>> everywhere(QueryModel model, QueryLevel level, Object... keys) throws Exception {
        Dataset d = new Dataset();
        for (int i = 0; i < keys.length; i += 2) {
            d.set((Integer) keys[i], (String) keys[i + 1]);
        }
        DicomQuery q = DicomQuery.of(model, level, d);
        Map<String, List<String>> found = new TreeMap<>();
        for (var peer : peers.entrySet()) {
            try {
                found.put(peer.getKey(), client.find(peer.getValue(), q).stream()
                        .map(m -> m.string(level.uniqueKey()).orElse("<absent>")).sorted().toList());
            } catch (java.io.IOException e) {
                throw new AssertionError(peer.getKey() + " (" + peer.getValue() + "): " + e, e);
            }
        }
        return found;
    }

    private void assertAllFind(Map<String, List<String>> found, String... expected) {
        for (var e : found.entrySet()) {
            assertThat(e.getValue()).as(e.getKey() + " in " + found).containsExactly(expected);
        }
    }

    @Test
    void studyRootQueriesFindTheSameStudiesEverywhere() throws Exception {
        int uid = QueryKeys.STUDY_INSTANCE_UID;
        assertAllFind(everywhere(QueryModel.STUDY_ROOT, QueryLevel.STUDY, uid, ""), S1, S2, S3);
        assertAllFind(everywhere(QueryModel.STUDY_ROOT, QueryLevel.STUDY, uid, "", QueryKeys.PATIENT_NAME, "Smi*"), S3);
        assertAllFind(everywhere(QueryModel.STUDY_ROOT, QueryLevel.STUDY, uid, "", QueryKeys.STUDY_DATE,
                "20200101-20211231"), S1, S2);
        assertAllFind(everywhere(QueryModel.STUDY_ROOT, QueryLevel.STUDY, uid, "", QueryKeys.ACCESSION_NUMBER, "ACC2"),
                S2);
        assertAllFind(everywhere(QueryModel.STUDY_ROOT, QueryLevel.SERIES, uid, S3, QueryKeys.SERIES_INSTANCE_UID, ""),
                QueryCorpus.series(S3, 1), QueryCorpus.series(S3, 2));
        assertAllFind(everywhere(QueryModel.STUDY_ROOT, QueryLevel.IMAGE, uid, S1, QueryKeys.SERIES_INSTANCE_UID,
                QueryCorpus.series(S1, 2), QueryKeys.SOP_INSTANCE_UID, ""),
                QueryCorpus.instance(S1, 2, 1), QueryCorpus.instance(S1, 2, 2));
    }

    @Test
    void patientRootQueriesFindTheSameEntitiesEverywhere() throws Exception {
        assertAllFind(everywhere(QueryModel.PATIENT_ROOT, QueryLevel.PATIENT, QueryKeys.PATIENT_ID, "",
                QueryKeys.PATIENT_NAME, ""), "PID1", "PID2");
        assertAllFind(everywhere(QueryModel.PATIENT_ROOT, QueryLevel.STUDY, QueryKeys.PATIENT_ID, "PID1",
                QueryKeys.STUDY_INSTANCE_UID, ""), S1, S2);
        assertAllFind(everywhere(QueryModel.PATIENT_ROOT, QueryLevel.SERIES, QueryKeys.PATIENT_ID, "PID1",
                QueryKeys.STUDY_INSTANCE_UID, S2, QueryKeys.SERIES_INSTANCE_UID, ""), QueryCorpus.series(S2, 1));
    }

    @Test
    void returnedAttributesAgreeWithDcmqrscp() throws Exception {
        DicomQuery q = DicomQuery.of(QueryModel.STUDY_ROOT, QueryLevel.STUDY, new Dataset()
                .set(QueryKeys.STUDY_INSTANCE_UID, S1).set(QueryKeys.PATIENT_NAME, "").set(QueryKeys.PATIENT_ID, "")
                .set(QueryKeys.STUDY_DATE, "").set(QueryKeys.STUDY_TIME, "").set(QueryKeys.ACCESSION_NUMBER, "")
                .set(QueryKeys.STUDY_DESCRIPTION, "").set(QueryKeys.REFERRING_PHYSICIAN_NAME, ""));
        Dataset theirs = client.find(peers.get("dcmqrscp"), q).get(0);
        Dataset mine = client.find(peers.get("harmony"), q).get(0);
        for (int tag : List.of(QueryKeys.PATIENT_NAME, QueryKeys.PATIENT_ID, QueryKeys.STUDY_DATE, QueryKeys.STUDY_TIME,
                QueryKeys.ACCESSION_NUMBER, QueryKeys.STUDY_DESCRIPTION, QueryKeys.REFERRING_PHYSICIAN_NAME)) {
            assertThat(mine.string(tag)).as(dev.harmony.dicom.Tags.toString(tag)).isEqualTo(theirs.string(tag));
        }
    }

    @Test
    void cancelAgainstDcmqrscpEndsTheQueryAndKeepsTheAssociation() throws Exception {
        List<Dataset> seen = new ArrayList<>();
        try (ScuAssociation a = client.open(peers.get("dcmqrscp"), List.of(DicomClient.findProposal(QueryModel.STUDY_ROOT),
                dev.harmony.dicom.scu.Proposal.verification()))) {
            int status = a.find(DicomQuery.of(QueryModel.STUDY_ROOT, QueryLevel.IMAGE, new Dataset()
                    .set(QueryKeys.STUDY_INSTANCE_UID, S1).set(QueryKeys.SERIES_INSTANCE_UID, QueryCorpus.series(S1, 1))
                    .set(QueryKeys.SOP_INSTANCE_UID, "")), m -> seen.add(m) && false);
            // dcmqrscp may have sent every response before reading the cancel; either way the query ended
            assertThat(status).isIn(0xFE00, 0x0000);
            assertThat(seen).isNotEmpty();
            assertThat(a.echo()).isZero();
        }
    }
}
