package dev.harmony.dicom.backend;

import static dev.harmony.dicom.query.QueryCorpus.S1;
import static dev.harmony.dicom.query.QueryCorpus.S3;
import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.dicom.CancelTap;
import dev.harmony.dicom.DcmQrScp;
import dev.harmony.dicom.Dcmtk;
import dev.harmony.dicom.DicomAttributes;
import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.StoreScp;
import dev.harmony.dicom.internal.file.FileMeta;
import dev.harmony.dicom.frontend.DicomScp;
import dev.harmony.dicom.query.Dataset;
import dev.harmony.dicom.query.DicomQuery;
import dev.harmony.dicom.query.QueryCorpus;
import dev.harmony.dicom.query.QueryKeys;
import dev.harmony.dicom.query.QueryLevel;
import dev.harmony.dicom.query.QueryModel;
import dev.harmony.dicom.query.RetrieveOutcome;
import dev.harmony.dicom.scu.DicomClient;
import dev.harmony.dicom.scu.ScuAssociation;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Backend;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.pipeline.Rejection;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PACS proxy's C-MOVE against DCMTK: dcmqrscp is the PACS, movescu or our client the modality,
 * storescp (or a listener of ours that holds a store until a cancel passed) the destination. Relayed
 * moves pass the PACS's Pending responses on and relay C-CANCEL; retrieve-and-send-on fetches with C-GET
 * and forwards each instance itself.
 */
class PacsProxyRetrieveTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private final DicomClient client = DicomClient.callingAe("MODALITY").build();

    @TempDir
    Path tmp;

    private Pipeline proxy(PacsProxy.Builder backend) {
        Pipeline p = Pipeline.builder().name("proxy")
                .frontend(DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("HARMONY").build())
                .backend(backend.callingAe("HARMONY").connectTimeout(Duration.ofSeconds(5)).build()).build();
        p.start();
        return p;
    }

    private static DicomNode harmony(Pipeline p) {
        return DicomNode.of("HARMONY", "127.0.0.1", ((DicomScp) p.frontend()).localPort());
    }

    private static DicomQuery study(String uid) {
        return DicomQuery.of(QueryModel.STUDY_ROOT, QueryLevel.STUDY, new Dataset().set(QueryKeys.STUDY_INSTANCE_UID, uid));
    }

    @Test
    void theRelayedMovePassesEveryPendingResponseOfThePacsOn() throws Exception {
        List<Path> corpus = QueryCorpus.write(tmp.resolve("corpus"));
        try (StoreScp storescp = StoreScp.start(Files.createDirectories(tmp.resolve("storescp")), "STORESCP");
                DcmQrScp pacs = DcmQrScp.start(tmp, "QRSCP", corpus, "STORESCP@127.0.0.1:" + storescp.port());
                Pipeline p = proxy(PacsProxy.to(DicomNode.of("QRSCP", "127.0.0.1", pacs.port())))) {
            List<RetrieveOutcome> direct = new ArrayList<>();
            RetrieveOutcome directEnd = client.move(DicomNode.of("QRSCP", "127.0.0.1", pacs.port()), study(S1), "STORESCP",
                    direct::add);
            List<RetrieveOutcome> relayed = new ArrayList<>();
            RetrieveOutcome relayedEnd = client.move(harmony(p), study(S1), "STORESCP", relayed::add);

            // dcmqrscp reports after each of the 5 sub-operations; the proxy passes each on as it came
            assertThat(direct).hasSizeGreaterThanOrEqualTo(4);
            assertThat(relayed).isEqualTo(direct);
            assertThat(relayed.get(0).remaining()).isEqualTo(4);
            assertThat(relayed.get(0).completed()).isEqualTo(1);
            assertThat(relayedEnd).isEqualTo(directEnd);
            assertThat(relayedEnd.status()).isZero();
            assertThat(relayedEnd.completed()).isEqualTo(5);

            // DCMTK's movescu sees them too
            Dcmtk.Result r = Dcmtk.run(TIMEOUT, "movescu", "-v", "-S", "-aet", "MOVER", "-aec", "HARMONY",
                    "-aem", "STORESCP", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + S3,
                    "127.0.0.1", String.valueOf(harmony(p).port()));
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(r.output()).contains("Received Move Response 1 (Pending)")
                    .contains("Received Final Move Response (Success)");
            // the second move of S1 rewrote the same 5 files
            Dcmtk.await(TIMEOUT, "storescp to hold the 5 instances of S1 and the 4 of S3", () -> count(storescp.dir()) == 9);
        }
    }

    /**
     * The destination (a listener of ours) holds the second C-STORE until the proxy's C-CANCEL has passed
     * on its way to dcmqrscp, so dcmqrscp sees the cancel before its third sub-operation, with no timing.
     */
    @Test
    void aCancelFromTheModalityIsRelayedToThePacsWhileASubOperationRuns() throws Exception {
        List<Path> corpus = QueryCorpus.write(tmp.resolve("corpus"));
        AtomicInteger stores = new AtomicInteger();
        List<CancelTap> tapHolder = new ArrayList<>();
        DicomScp destScp = DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("DEST").build();
        try (Pipeline dest = Pipeline.builder().name("dest").frontend(destScp).backend(request -> {
            if (request.operation().equals(DicomAttributes.OP_C_STORE)) {
                request.body().stream().transferTo(java.io.OutputStream.nullOutputStream());
                if (stores.incrementAndGet() == 2 && !tapHolder.get(0).awaitCancel(30)) {
                    return Response.rejected(Rejection.internal("no cancel came"));
                }
            }
            return Response.ok();
        }).build()) {
            dest.start();
            try (DcmQrScp pacs = DcmQrScp.start(tmp, "QRSCP", corpus, "DEST@127.0.0.1:" + destScp.localPort());
                    CancelTap tap = new CancelTap("127.0.0.1", pacs.port());
                    Pipeline p = proxy(PacsProxy.to(DicomNode.of("QRSCP", "127.0.0.1", tap.port())))) {
                tapHolder.add(tap);
                List<RetrieveOutcome> pendings = new ArrayList<>();
                RetrieveOutcome end = client.move(harmony(p), study(S1), "DEST", o -> pendings.add(o) && false);

                assertThat(tap.cancelSeen()).isTrue();
                assertThat(pendings).hasSize(1);
                assertThat(pendings.get(0).completed()).isEqualTo(1);
                assertThat(end.status()).as(end.toString()).isEqualTo(0xFE00);
                assertThat(end.completed()).isEqualTo(2); // the one held when the cancel came ended normally
                assertThat(end.failed()).isZero();
                assertThat(stores.get()).isEqualTo(2); // and no sub-operation started after it

                // the proxy serves the next move to the end
                RetrieveOutcome next = client.move(harmony(p), study(S3), "DEST", o -> true);
                assertThat(next.status()).isZero();
                assertThat(next.completed()).isEqualTo(4);
            }
        }
    }

    /** A modality that aborts its association mid-move: the proxy cancels the PACS's move and keeps serving. */
    @Test
    void aModalityThatAbortsMidMoveGetsThePacsMoveCancelled() throws Exception {
        List<Path> corpus = QueryCorpus.write(tmp.resolve("corpus"));
        AtomicInteger stores = new AtomicInteger();
        List<CancelTap> tapHolder = new ArrayList<>();
        DicomScp destScp = DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("DEST").build();
        try (Pipeline dest = Pipeline.builder().name("dest").frontend(destScp).backend(request -> {
            if (request.operation().equals(DicomAttributes.OP_C_STORE)) {
                request.body().stream().transferTo(java.io.OutputStream.nullOutputStream());
                if (stores.incrementAndGet() == 2 && !tapHolder.get(0).awaitCancel(30)) {
                    return Response.rejected(Rejection.internal("no cancel came"));
                }
            }
            return Response.ok();
        }).build()) {
            dest.start();
            try (DcmQrScp pacs = DcmQrScp.start(tmp, "QRSCP", corpus, "DEST@127.0.0.1:" + destScp.localPort());
                    CancelTap tap = new CancelTap("127.0.0.1", pacs.port());
                    Pipeline p = proxy(PacsProxy.to(DicomNode.of("QRSCP", "127.0.0.1", tap.port())))) {
                tapHolder.add(tap);
                ScuAssociation modality = client.openMove(harmony(p), QueryModel.STUDY_ROOT);
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> modality.move(study(S1), "DEST", o -> {
                    modality.abort(); // gone after the first Pending response
                    return true;
                })).isInstanceOf(IOException.class);
                assertThat(tap.awaitCancel(30)).as("the PACS's move cancelled").isTrue();

                RetrieveOutcome next = client.move(harmony(p), study(S3), "DEST", o -> true);
                assertThat(next.status()).isZero();
                assertThat(next.completed()).isEqualTo(4);
                assertThat(stores.get()).isEqualTo(2 + 4); // nothing of S1 after the cancel
            }
        }
    }

    private Pipeline fetchProxy(DicomNode pacs, Map<String, Backend> destinations) {
        return proxy(PacsProxy.to(pacs).retrieveAndSend(destinations));
    }

    @Test
    void retrieveAndSendOnDeliversEveryInstanceByteIdenticalToADestinationThePacsDoesNotKnow() throws Exception {
        List<Path> corpus = QueryCorpus.write(tmp.resolve("corpus"));
        try (StoreScp storescp = StoreScp.start(Files.createDirectories(tmp.resolve("storescp")), "STORESCP");
                DcmQrScp pacs = DcmQrScp.start(tmp, "QRSCP", corpus); // no move destinations at all
                Pipeline p = fetchProxy(DicomNode.of("QRSCP", "127.0.0.1", pacs.port()), Map.of("STORESCP",
                        DicomForward.to(DicomNode.of("STORESCP", "127.0.0.1", storescp.port())).callingAe("HARMONY").build()))) {
            Dcmtk.Result r = Dcmtk.run(TIMEOUT, "movescu", "-v", "-S", "-aet", "MOVER", "-aec", "HARMONY",
                    "-aem", "STORESCP", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + S1,
                    "127.0.0.1", String.valueOf(harmony(p).port()));
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(r.output()).contains("Received Move Response 1 (Pending)")
                    .contains("Received Final Move Response (Success)");

            List<RetrieveOutcome> pendings = new ArrayList<>();
            RetrieveOutcome end = client.move(harmony(p), study(S3), "STORESCP", pendings::add);
            assertThat(end).isEqualTo(new RetrieveOutcome(0, -1, 4, 0, 0));
            assertThat(pendings).isNotEmpty();
            assertThat(pendings.get(pendings.size() - 1).completed()).isBetween(3, 4);

            // every data set of S1 and S3 arrived as the PACS holds it
            Map<String, byte[]> sent = datasets(corpus.stream().filter(f -> !f.toString().contains(QueryCorpus.S2 + "."))
                    .toList());
            Map<String, byte[]> received;
            try (Stream<Path> files = Files.list(storescp.dir())) {
                received = datasets(files.toList());
            }
            assertThat(sent).hasSize(9);
            assertThat(received.keySet()).isEqualTo(sent.keySet());
            sent.forEach((uid, bytes) -> assertThat(received.get(uid)).as(uid).isEqualTo(bytes));

            // a destination not configured: A801, and nothing is fetched
            Dcmtk.Result unknown = Dcmtk.run(TIMEOUT, "movescu", "-v", "-S", "-aet", "MOVER", "-aec", "HARMONY",
                    "-aem", "NOWHERE", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + S3,
                    "127.0.0.1", String.valueOf(harmony(p).port()));
            assertThat(unknown.output()).contains("Final Move Response (Refused: MoveDestinationUnknown)");
        }
    }

    @Test
    void retrieveAndSendOnToADestinationThatIsDownIsA702WithEveryInstanceFailed() throws Exception {
        List<Path> corpus = QueryCorpus.write(tmp.resolve("corpus"));
        int down = Dcmtk.freePort();
        try (DcmQrScp pacs = DcmQrScp.start(tmp, "QRSCP", corpus);
                Pipeline p = fetchProxy(DicomNode.of("QRSCP", "127.0.0.1", pacs.port()), Map.of("DOWN",
                        DicomForward.to(DicomNode.of("DOWN", "127.0.0.1", down)).callingAe("HARMONY").build()))) {
            RetrieveOutcome end = client.move(harmony(p), study(S1), "DOWN", o -> true);
            assertThat(end).isEqualTo(new RetrieveOutcome(0xA702, -1, 0, 5, 0));
            Dcmtk.Result r = Dcmtk.run(TIMEOUT, "movescu", "-v", "-S", "-aet", "MOVER", "-aec", "HARMONY",
                    "-aem", "DOWN", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + S3,
                    "127.0.0.1", String.valueOf(harmony(p).port()));
            assertThat(r.output()).contains("Final Move Response (Refused: OutOfResourcesSubOperations)");
        }
    }

    /** The destination refuses the CT images of S3 but takes its presentation state: B000, 1 completed, 3 failed. */
    @Test
    void retrieveAndSendOnCountsTheDestinationsRefusalsAsFailed() throws Exception {
        List<Path> corpus = QueryCorpus.write(tmp.resolve("corpus"));
        List<String> taken = new ArrayList<>();
        Backend picky = request -> {
            if (request.attribute(DicomAttributes.SOP_CLASS_UID).orElse("").equals(QueryCorpus.PR_STORAGE)) {
                taken.add(request.attribute(DicomAttributes.SOP_INSTANCE_UID).orElseThrow());
                return Response.ok();
            }
            return Response.rejected(Rejection.unsupported("no CT here"));
        };
        try (DcmQrScp pacs = DcmQrScp.start(tmp, "QRSCP", corpus);
                Pipeline p = fetchProxy(DicomNode.of("QRSCP", "127.0.0.1", pacs.port()), Map.of("PICKY", picky))) {
            RetrieveOutcome end = client.move(harmony(p), study(S3), "PICKY", o -> true);
            assertThat(end).isEqualTo(new RetrieveOutcome(0xB000, -1, 1, 3, 0));
            assertThat(taken).containsExactly(QueryCorpus.instance(S3, 2, 1));
        }
    }

    @Test
    void aCancelDuringRetrieveAndSendOnIsRelayedToThePacsAsACancelOfItsGet() throws Exception {
        List<Path> corpus = QueryCorpus.write(tmp.resolve("corpus"));
        AtomicInteger stores = new AtomicInteger();
        List<CancelTap> tapHolder = new ArrayList<>();
        Backend holding = request -> {
            request.body().stream().transferTo(java.io.OutputStream.nullOutputStream());
            if (stores.incrementAndGet() == 2 && !tapHolder.get(0).awaitCancel(30)) {
                return Response.rejected(Rejection.internal("no cancel came"));
            }
            return Response.ok();
        };
        try (DcmQrScp pacs = DcmQrScp.start(tmp, "QRSCP", corpus);
                CancelTap tap = new CancelTap("127.0.0.1", pacs.port());
                Pipeline p = fetchProxy(DicomNode.of("QRSCP", "127.0.0.1", tap.port()), Map.of("HOLD", holding))) {
            tapHolder.add(tap);
            Dcmtk.Result r = Dcmtk.run(TIMEOUT, "movescu", "-v", "-S", "--cancel", "1", "-aet", "MOVER", "-aec", "HARMONY",
                    "-aem", "HOLD", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + S1,
                    "127.0.0.1", String.valueOf(harmony(p).port()));
            assertThat(tap.cancelSeen()).as(r.output()).isTrue();
            assertThat(r.output()).contains("Sending Cancel Request")
                    .contains("Received Final Move Response (Cancel: SubOperationsTerminatedDueToCancelIndication)");
            assertThat(stores.get()).isEqualTo(2);
        }
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

    private static long count(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        } catch (IOException e) {
            return -1;
        }
    }
}
