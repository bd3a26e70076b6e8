package dev.harmony.dicom.query;

import static dev.harmony.dicom.query.QueryCorpus.S1;
import static dev.harmony.dicom.query.QueryCorpus.S2;
import static dev.harmony.dicom.query.QueryCorpus.S3;
import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.backend.DicomFileStore;
import dev.harmony.dicom.frontend.DicomScp;
import dev.harmony.dicom.scu.DicomClient;
import dev.harmony.jdbc.PgServer;
import dev.harmony.pipeline.Pipeline;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The index on a real PostgreSQL: two nodes with their own directories share it, so either answers
 * for what the other stored; the same matching as the embedded index; reindex replaces one root's rows.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresIndexTest {
    @TempDir
    static Path tmp;
    private PgServer pg;

    @BeforeAll
    void start() throws Exception {
        pg = PgServer.start();
    }

    @AfterAll
    void stop() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void twoNodesShareOneIndex() throws Exception {
        List<Path> corpus = QueryCorpus.write(tmp.resolve("corpus"));
        try (DicomIndex indexA = DicomIndex.postgres(pg.url()); DicomIndex indexB = DicomIndex.postgres(pg.url())) {
            DicomScp scpA = DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("NODEA").build();
            DicomScp scpB = DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("NODEB").build();
            try (Pipeline a = Pipeline.builder().name("a").frontend(scpA)
                    .backend(DicomFileStore.under(tmp.resolve("a")).index(indexA).build()).build();
                 Pipeline b = Pipeline.builder().name("b").frontend(scpB)
                    .backend(DicomFileStore.under(tmp.resolve("b")).index(indexB).build()).build()) {
                a.start();
                b.start();
                DicomClient client = DicomClient.callingAe("SCU").build();
                DicomNode nodeA = DicomNode.of("NODEA", "127.0.0.1", scpA.localPort());
                DicomNode nodeB = DicomNode.of("NODEB", "127.0.0.1", scpB.localPort());
                assertThat(client.store(nodeA, corpus.subList(0, 5))).containsOnly(0); // study S1
                assertThat(client.store(nodeB, corpus.subList(5, corpus.size()))).containsOnly(0); // S2, S3

                DicomQuery studies = DicomQuery.of(QueryModel.STUDY_ROOT, QueryLevel.STUDY, new Dataset()
                        .set(QueryKeys.STUDY_INSTANCE_UID, "").set(QueryKeys.MODALITIES_IN_STUDY, "")
                        .set(QueryKeys.NUMBER_OF_STUDY_RELATED_INSTANCES, ""));
                for (DicomNode node : List.of(nodeA, nodeB)) {
                    List<Dataset> found = client.find(node, studies);
                    assertThat(found.stream().map(d -> d.string(QueryKeys.STUDY_INSTANCE_UID).orElseThrow()).sorted())
                            .as(node.toString()).containsExactly(S1, S2, S3);
                    assertThat(found.stream().map(d -> d.string(QueryKeys.MODALITIES_IN_STUDY).orElseThrow()).sorted())
                            .containsExactly("CT", "CT\\PR", "MR");
                }
                assertThat(DicomIndexTest.find(indexA, QueryModel.STUDY_ROOT, QueryLevel.STUDY, QueryKeys.PATIENT_NAME,
                        "D?e*", QueryKeys.STUDY_INSTANCE_UID, "", QueryKeys.STUDY_TIME, "0800-1015")).hasSize(2);
                assertThat(DicomIndexTest.find(indexA, QueryModel.STUDY_ROOT, QueryLevel.STUDY, QueryKeys.STUDY_TIME,
                        "1015-1400", QueryKeys.STUDY_INSTANCE_UID, "")).as("'~' bound with the C collation").hasSize(2);
                assertThat(DicomIndexTest.find(indexA, QueryModel.PATIENT_ROOT, QueryLevel.PATIENT, QueryKeys.PATIENT_ID,
                        "", QueryKeys.NUMBER_OF_PATIENT_RELATED_INSTANCES, "")).hasSize(2);

                // node B's reindex replaces B's rows only
                assertThat(indexB.reindex(tmp.resolve("b"))).isEqualTo(6);
                assertThat(indexA.size()).isEqualTo(11);
            }
        }
    }
}
