package dev.harmony.dicom.backend;

import static dev.harmony.dicom.query.QueryCorpus.S1;
import static dev.harmony.dicom.query.QueryCorpus.S2;
import static dev.harmony.dicom.query.QueryCorpus.S3;
import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.dicom.DcmQrScp;
import dev.harmony.dicom.Dcmtk;
import dev.harmony.dicom.DicomAttributes;
import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.StoreScp;
import dev.harmony.dicom.frontend.DicomScp;
import dev.harmony.dicom.query.Dataset;
import dev.harmony.dicom.query.DicomQuery;
import dev.harmony.dicom.query.RetrieveOutcome;
import dev.harmony.dicom.query.QueryCorpus;
import dev.harmony.dicom.query.QueryKeys;
import dev.harmony.dicom.query.QueryLevel;
import dev.harmony.dicom.query.QueryModel;
import dev.harmony.dicom.query.QueryResults;
import dev.harmony.dicom.scu.DicomClient;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Pipeline;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PACS proxy against real peers: DCMTK dcmqrscp is the PACS, DCMTK findscu and movescu ask our
 * listener, and DCMTK storescp is the C-MOVE destination that dcmqrscp sends to directly.
 */
class PacsProxyTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private final DicomClient client = DicomClient.callingAe("SCU").build();

    @TempDir
    Path tmp;

    /** Our listener as HARMONY, relaying C-FIND/C-MOVE to {@code pacs} and storing C-STORE under tmp/store. */
    private Pipeline proxy(DicomNode pacs) {
        DicomScp scp = DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("HARMONY").build();
        Pipeline p = Pipeline.builder().name("proxy").frontend(scp)
                .backend(PacsProxy.to(pacs).callingAe("HARMONY").connectTimeout(Duration.ofSeconds(5))
                        .otherwise(DicomFileStore.under(tmp.resolve("store")).build()).build())
                .build();
        p.start();
        return p;
    }

    private static int port(Pipeline p) {
        return ((DicomScp) p.frontend()).localPort();
    }

    @Test
    void findscuGetsThePacsMatchesAndStoresStillGoToTheStore() throws Exception {
        List<Path> corpus = QueryCorpus.write(tmp.resolve("corpus"));
        try (DcmQrScp pacs = DcmQrScp.start(tmp, "QRSCP", corpus);
                Pipeline p = proxy(DicomNode.of("QRSCP", "127.0.0.1", pacs.port()))) {
            Dcmtk.Result r = Dcmtk.run(TIMEOUT, "findscu", "-v", "-S", "-aet", "FINDSCU", "-aec", "HARMONY",
                    "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID", "-k", "PatientID",
                    "127.0.0.1", String.valueOf(port(p)));
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(r.output()).contains(S1).contains(S2).contains(S3).contains("PID1").contains("PID2")
                    .contains("Received Final Find Response (Success)");

            // The same answers, key for key, as asking dcmqrscp directly.
            DicomQuery images = DicomQuery.of(QueryModel.STUDY_ROOT, QueryLevel.IMAGE, new Dataset()
                    .set(QueryKeys.STUDY_INSTANCE_UID, S1).set(QueryKeys.SERIES_INSTANCE_UID, QueryCorpus.series(S1, 1))
                    .set(QueryKeys.SOP_INSTANCE_UID, ""));
            List<Dataset> direct = client.find(DicomNode.of("QRSCP", "127.0.0.1", pacs.port()), images);
            List<Dataset> relayed = client.find(DicomNode.of("HARMONY", "127.0.0.1", port(p)), images);
            assertThat(direct).hasSize(3);
            assertThat(relayed).containsExactlyInAnyOrderElementsOf(direct);

            // A failure status of the PACS comes back as it is (dcmqrscp: no unique key at SERIES level).
            Dcmtk.Result bad = Dcmtk.run(TIMEOUT, "findscu", "-v", "-S", "-aet", "FINDSCU", "-aec", "HARMONY",
                    "-k", "QueryRetrieveLevel=SERIES", "-k", "SeriesInstanceUID", "127.0.0.1", String.valueOf(port(p)));
            Dcmtk.Result badDirect = Dcmtk.run(TIMEOUT, "findscu", "-v", "-S", "-aet", "FINDSCU", "-aec", "QRSCP",
                    "-k", "QueryRetrieveLevel=SERIES", "-k", "SeriesInstanceUID", "127.0.0.1", String.valueOf(pacs.port()));
            assertThat(finalResponse(bad.output())).as(bad.output()).isEqualTo(finalResponse(badDirect.output()))
                    .doesNotContain("Success");

            // C-STORE is not relayed: it goes to the store.
            assertThat(client.store(DicomNode.of("HARMONY", "127.0.0.1", port(p)), corpus.subList(0, 2))).containsOnly(0);
            try (Stream<Path> files = Files.walk(tmp.resolve("store"))) {
                assertThat(files.filter(f -> f.toString().endsWith(".dcm")).count()).isEqualTo(2);
            }
        }
    }

    private static String finalResponse(String findscuOutput) {
        int at = findscuOutput.indexOf("Final Find Response");
        assertThat(at).as(findscuOutput).isNotNegative();
        return findscuOutput.substring(at, findscuOutput.indexOf('\n', at));
    }

    @Test
    void movescuThroughTheProxyMakesThePacsSendToTheDestination() throws Exception {
        List<Path> corpus = QueryCorpus.write(tmp.resolve("corpus"));
        try (StoreScp storescp = StoreScp.start(Files.createDirectories(tmp.resolve("storescp")), "STORESCP");
                DcmQrScp pacs = DcmQrScp.start(tmp, "QRSCP", corpus, "STORESCP@127.0.0.1:" + storescp.port());
                Pipeline p = proxy(DicomNode.of("QRSCP", "127.0.0.1", pacs.port()))) {
            // Our listener has no move destinations configured: the PACS knows STORESCP.
            Dcmtk.Result r = Dcmtk.run(TIMEOUT, "movescu", "-v", "-S", "-aet", "MOVER", "-aec", "HARMONY",
                    "-aem", "STORESCP", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + S1,
                    "127.0.0.1", String.valueOf(port(p)));
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(r.output()).contains("Received Final Move Response (Success)");
            Dcmtk.await(TIMEOUT, "storescp to hold the 5 instances of S1", () -> count(storescp) == 5);

            // The PACS's counts come back too (movescu does not print them; our client does).
            RetrieveOutcome o = client.move(DicomNode.of("HARMONY", "127.0.0.1", port(p)), DicomQuery.of(QueryModel.STUDY_ROOT,
                    QueryLevel.STUDY, new Dataset().set(QueryKeys.STUDY_INSTANCE_UID, S3)), "STORESCP", pending -> true);
            assertThat(o).isEqualTo(new RetrieveOutcome(0, -1, 4, 0, 0));
            Dcmtk.await(TIMEOUT, "storescp to hold the 4 instances of S3 too", () -> count(storescp) == 9);

            // A destination the PACS does not know: its refusal comes back.
            Dcmtk.Result unknown = Dcmtk.run(TIMEOUT, "movescu", "-v", "-S", "-aet", "MOVER", "-aec", "HARMONY",
                    "-aem", "NOWHERE", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + S3,
                    "127.0.0.1", String.valueOf(port(p)));
            assertThat(unknown.output()).contains("Final Move Response (Refused: MoveDestinationUnknown)");
            assertThat(count(storescp)).isEqualTo(9);
        }
    }

    @Test
    void aPacsThatIsDownGivesA700ToFindAndA701ToMoveAndTheListenerKeepsServing() throws Exception {
        int nothing = Dcmtk.freePort();
        try (Pipeline p = proxy(DicomNode.of("QRSCP", "127.0.0.1", nothing))) {
            Dcmtk.Result find = Dcmtk.run(TIMEOUT, "findscu", "-v", "-S", "-aet", "FINDSCU", "-aec", "HARMONY",
                    "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID", "127.0.0.1", String.valueOf(port(p)));
            assertThat(find.output()).contains("Final Find Response (Refused: OutOfResources)");
            Dcmtk.Result move = Dcmtk.run(TIMEOUT, "movescu", "-v", "-S", "-aet", "MOVER", "-aec", "HARMONY",
                    "-aem", "STORESCP", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + S1,
                    "127.0.0.1", String.valueOf(port(p)));
            // C-MOVE has its own code: refused, out of resources, unable to calculate the number of matches
            assertThat(move.output()).contains("Final Move Response (Refused: OutOfResourcesNumberOfMatches)");
            DicomNode harmony = DicomNode.of("HARMONY", "127.0.0.1", port(p));
            assertThat(client.find(harmony, DicomQuery.of(QueryModel.PATIENT_ROOT, QueryLevel.PATIENT,
                    new Dataset().set(QueryKeys.PATIENT_ID, "")), m -> true)).isEqualTo(0xA700);
            assertThat(client.echo(harmony)).isZero();
            List<Path> corpus = QueryCorpus.write(tmp.resolve("corpus"));
            assertThat(client.store(harmony, corpus.subList(0, 1))).containsOnly(0);
        }
    }

    /**
     * The PACS here is a second listener of ours whose matches never end, so only a C-CANCEL relayed by
     * the proxy can end its query: findscu cancels after 3 matches at the proxy, and the PACS's results
     * must be closed.
     */
    @Test
    void findscuCancelIsRelayedToThePacs() throws Exception {
        AtomicInteger produced = new AtomicInteger();
        AtomicBoolean closed = new AtomicBoolean();
        DicomScp upstream = DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("ENDLESS").build();
        try (Pipeline pacs = Pipeline.builder().name("endless").frontend(upstream).backend(request -> {
            if (!request.operation().equals(DicomAttributes.OP_C_FIND)) {
                return Response.ok();
            }
            return Response.ok().with(DicomAttributes.MATCHES, new QueryResults() {
                @Override
                public Dataset next() {
                    return new Dataset().set(QueryKeys.QUERY_RETRIEVE_LEVEL, "STUDY")
                            .set(QueryKeys.STUDY_INSTANCE_UID, "1.2.3." + produced.incrementAndGet());
                }

                @Override
                public void close() {
                    closed.set(true);
                }
            });
        }).build()) {
            pacs.start();
            try (Pipeline p = proxy(DicomNode.of("ENDLESS", "127.0.0.1", upstream.localPort()))) {
                Dcmtk.Result r = Dcmtk.run(TIMEOUT, "findscu", "-v", "-S", "--cancel", "3", "-aet", "FINDSCU",
                        "-aec", "HARMONY", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID", "127.0.0.1",
                        String.valueOf(port(p)));
                assertThat(r.exitCode()).as(r.output()).isZero();
                assertThat(r.output()).contains("Sending Cancel Request")
                        .contains("Received Final Find Response (Cancel: MatchingTerminatedDueToCancelRequest)");
                Dcmtk.await(TIMEOUT, "the PACS's query to be cancelled", closed::get);

                // The same through our own client, and the proxy then answers the next query.
                closed.set(false);
                List<Dataset> seen = new ArrayList<>();
                int status = client.find(DicomNode.of("HARMONY", "127.0.0.1", port(p)), DicomQuery.of(
                        QueryModel.STUDY_ROOT, QueryLevel.STUDY, new Dataset().set(QueryKeys.STUDY_INSTANCE_UID, "")),
                        m -> seen.add(m) && seen.size() < 2);
                assertThat(status).isEqualTo(0xFE00);
                assertThat(seen).hasSizeGreaterThanOrEqualTo(2);
                Dcmtk.await(TIMEOUT, "the PACS's second query to be cancelled", closed::get);
            }
        }
    }

    private static long count(StoreScp storescp) {
        try {
            return storescp.fileCount();
        } catch (IOException e) {
            return -1;
        }
    }
}
