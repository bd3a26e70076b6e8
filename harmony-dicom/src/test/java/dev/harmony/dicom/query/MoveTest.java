package dev.harmony.dicom.query;

import static dev.harmony.dicom.query.QueryCorpus.S1;
import static dev.harmony.dicom.query.QueryCorpus.S3;
import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.dicom.DcmQrScp;
import dev.harmony.dicom.Dcmtk;
import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.StoreScp;
import dev.harmony.dicom.backend.DicomFileStore;
import dev.harmony.dicom.frontend.DicomScp;
import dev.harmony.dicom.scu.DicomClient;
import dev.harmony.pipeline.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * C-MOVE both ways: DCMTK movescu asks our SCP to send to DCMTK storescp (a configured destination);
 * our DicomClient.move asks DCMTK dcmqrscp to send to our SCP, whose index then holds what arrived.
 */
class MoveTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    @Test
    void movescuMovesAStudyFromOurIndexToStorescp() throws Exception {
        List<Path> corpus = QueryCorpus.write(tmp.resolve("corpus"));
        try (StoreScp storescp = StoreScp.start(Files.createDirectories(tmp.resolve("storescp")), "STORESCP")) {
            DicomScp scp = DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("HARMONY")
                    .moveDestinations(DicomNode.of("STORESCP", "127.0.0.1", storescp.port())).build();
            try (Pipeline p = Pipeline.builder().name("move").frontend(scp)
                    .backend(DicomFileStore.under(tmp.resolve("store")).indexed().build()).build()) {
                p.start();
                DicomNode harmony = DicomNode.of("HARMONY", "127.0.0.1", scp.localPort());
                assertThat(DicomClient.callingAe("MODALITY").build().store(harmony, corpus)).containsOnly(0);

                Dcmtk.Result r = Dcmtk.run(TIMEOUT, "movescu", "-v", "-S", "-aet", "MOVER", "-aec", "HARMONY",
                        "-aem", "STORESCP", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + S1,
                        "127.0.0.1", String.valueOf(scp.localPort()));
                assertThat(r.exitCode()).as(r.output()).isZero();
                assertThat(r.output()).contains("Received Final Move Response (Success)");
                Dcmtk.await(TIMEOUT, "storescp to hold the 5 instances of S1", () -> count(storescp) == 5);

                Dcmtk.Result series = Dcmtk.run(TIMEOUT, "movescu", "-v", "-P", "-aet", "MOVER", "-aec", "HARMONY",
                        "-aem", "STORESCP", "-k", "QueryRetrieveLevel=SERIES", "-k", "PatientID=PID2", "-k",
                        "StudyInstanceUID=" + S3, "-k", "SeriesInstanceUID=" + QueryCorpus.series(S3, 2),
                        "127.0.0.1", String.valueOf(scp.localPort()));
                assertThat(series.output()).contains("Received Final Move Response (Success)");
                Dcmtk.await(TIMEOUT, "storescp to hold one more", () -> count(storescp) == 6);

                Dcmtk.Result unknown = Dcmtk.run(TIMEOUT, "movescu", "-v", "-S", "-aet", "MOVER", "-aec", "HARMONY",
                        "-aem", "NOWHERE", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + S1,
                        "127.0.0.1", String.valueOf(scp.localPort()));
                assertThat(unknown.output()).contains("Final Move Response (Refused: MoveDestinationUnknown)");

                Dcmtk.Result noKey = Dcmtk.run(TIMEOUT, "movescu", "-v", "-S", "-aet", "MOVER", "-aec", "HARMONY",
                        "-aem", "STORESCP", "-k", "QueryRetrieveLevel=SERIES", "-k", "SeriesInstanceUID=1.2.3",
                        "127.0.0.1", String.valueOf(scp.localPort()));
                assertThat(noKey.output()).contains("Final Move Response (Error: DataSetDoesNotMatchSOPClass)");

                // Universal or wildcard matching on the retrieve level's unique key would send the whole archive.
                for (String uid : List.of("", "*")) {
                    Dcmtk.Result universal = Dcmtk.run(TIMEOUT, "movescu", "-v", "-S", "-aet", "MOVER", "-aec",
                            "HARMONY", "-aem", "STORESCP", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + uid,
                            "127.0.0.1", String.valueOf(scp.localPort()));
                    assertThat(universal.output()).as("'" + uid + "'")
                            .contains("Final Move Response (Error: DataSetDoesNotMatchSOPClass)");
                }
                assertThat(count(storescp)).isEqualTo(6);
            }
        }
    }

    @Test
    void getscuGetsAStudyBackOnItsOwnAssociation() throws Exception {
        List<Path> corpus = QueryCorpus.write(tmp.resolve("corpus"));
        DicomScp scp = DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("HARMONY").build();
        try (Pipeline p = Pipeline.builder().name("get").frontend(scp)
                .backend(DicomFileStore.under(tmp.resolve("store")).indexed().build()).build()) {
            p.start();
            DicomNode harmony = DicomNode.of("HARMONY", "127.0.0.1", scp.localPort());
            assertThat(DicomClient.callingAe("MODALITY").build().store(harmony, corpus)).containsOnly(0);
            Path out = Files.createDirectories(tmp.resolve("got"));
            Dcmtk.Result r = Dcmtk.run(TIMEOUT, "getscu", "-v", "-S", "-aet", "GETTER", "-aec", "HARMONY", "-od",
                    out.toString(), "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + S3,
                    "127.0.0.1", String.valueOf(scp.localPort()));
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(r.output()).contains("Received C-GET Response (Success)")
                    .contains("Number of Completed Suboperations : 4").contains("Number of Failed Suboperations    : 0");
            try (var files = Files.list(out)) {
                assertThat(files.count()).as(r.output()).isEqualTo(4); // 3 CT + 1 presentation state
            }
            assertThat(DicomClient.callingAe("MODALITY").build().echo(harmony)).isZero();
        }
    }

    private static long count(StoreScp storescp) {
        try {
            return storescp.fileCount();
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    @Test
    void ourClientMovesFromDcmqrscpIntoOurIndex() throws Exception {
        List<Path> corpus = QueryCorpus.write(tmp.resolve("corpus"));
        DicomScp scp = DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("HARMONY").build();
        try (Pipeline p = Pipeline.builder().name("dest").frontend(scp)
                .backend(DicomFileStore.under(tmp.resolve("store")).indexed().build()).build()) {
            p.start();
            try (DcmQrScp qr = DcmQrScp.start(tmp, "QRSCP", corpus, "HARMONY@127.0.0.1:" + scp.localPort())) {
                DicomClient client = DicomClient.callingAe("HARMONY").build();
                int status = client.move(DicomNode.of("QRSCP", "127.0.0.1", qr.port()), DicomQuery.of(
                        QueryModel.STUDY_ROOT, QueryLevel.STUDY, new Dataset().set(QueryKeys.STUDY_INSTANCE_UID, S3)),
                        "HARMONY");
                assertThat(status).as(qr.log()).isZero();
                List<Dataset> arrived = client.find(DicomNode.of("HARMONY", "127.0.0.1", scp.localPort()),
                        DicomQuery.of(QueryModel.STUDY_ROOT, QueryLevel.STUDY, new Dataset()
                                .set(QueryKeys.STUDY_INSTANCE_UID, "").set(QueryKeys.NUMBER_OF_STUDY_RELATED_INSTANCES, "")));
                assertThat(arrived).hasSize(1);
                assertThat(arrived.get(0).string(QueryKeys.STUDY_INSTANCE_UID)).contains(S3);
                assertThat(arrived.get(0).string(QueryKeys.NUMBER_OF_STUDY_RELATED_INSTANCES)).contains("4");
            }
        }
    }
}
