package dev.harmony.dicom.backend;

import static dev.harmony.dicom.query.QueryCorpus.S1;
import static dev.harmony.dicom.query.QueryCorpus.S3;
import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.dicom.Dcmtk;
import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.Orthanc;
import dev.harmony.dicom.StoreScp;
import dev.harmony.dicom.frontend.DicomScp;
import dev.harmony.dicom.internal.file.FileMeta;
import dev.harmony.dicom.query.Dataset;
import dev.harmony.dicom.query.DicomQuery;
import dev.harmony.dicom.query.QueryCorpus;
import dev.harmony.dicom.query.QueryKeys;
import dev.harmony.dicom.query.QueryLevel;
import dev.harmony.dicom.query.QueryModel;
import dev.harmony.dicom.query.RetrieveOutcome;
import dev.harmony.dicom.scu.DicomClient;
import dev.harmony.pipeline.Pipeline;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PACS proxy with Orthanc as the PACS: a relayed C-MOVE makes Orthanc send to a destination it
 * knows (its Pending responses passed on), and retrieve-and-send-on fetches from Orthanc with C-GET and
 * delivers to a storescp Orthanc does not know, data sets byte-identical; getscu's C-GET relayed to
 * Orthanc gets its instances back on its own association.
 */
class PacsProxyOrthancTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private final DicomClient client = DicomClient.callingAe("MODALITY").build();

    @TempDir
    Path tmp;

    private static DicomQuery study(String uid) {
        return DicomQuery.of(QueryModel.STUDY_ROOT, QueryLevel.STUDY, new Dataset().set(QueryKeys.STUDY_INSTANCE_UID, uid));
    }

    @Test
    void relayedAndFetchedMovesFromOrthancReachTheirDestinations() throws Exception {
        List<Path> corpus = QueryCorpus.write(tmp.resolve("corpus"));
        try (StoreScp known = StoreScp.start(Files.createDirectories(tmp.resolve("known")), "KNOWN");
                StoreScp unknown = StoreScp.start(Files.createDirectories(tmp.resolve("unknown")), "UNKNOWN");
                Orthanc orthanc = Orthanc.start(Files.createDirectories(tmp.resolve("orthanc")), "ORTHANC",
                        Map.of("known", DicomNode.of("KNOWN", "127.0.0.1", known.port())))) {
            DicomNode pacs = DicomNode.of("ORTHANC", "127.0.0.1", orthanc.dicomPort());
            assertThat(client.store(pacs, corpus)).containsOnly(0);
            try (Pipeline relay = proxy(PacsProxy.to(pacs));
                    Pipeline fetch = proxy(PacsProxy.to(pacs).retrieveAndSend(Map.of("UNKNOWN",
                            DicomForward.to(DicomNode.of("UNKNOWN", "127.0.0.1", unknown.port())).callingAe("HARMONY")
                                    .build())))) {
                List<RetrieveOutcome> pendings = new ArrayList<>();
                RetrieveOutcome relayed = client.move(harmony(relay), study(S1), "KNOWN", pendings::add);
                assertThat(relayed.status()).as(relayed.toString()).isZero();
                assertThat(relayed.failed()).isIn(0, -1);
                assertThat(pendings).as("Orthanc's Pending responses, passed on").isNotEmpty();
                Dcmtk.await(TIMEOUT, "KNOWN to hold the 5 instances of S1", () -> count(known.dir()) == 5);

                // Orthanc does not know UNKNOWN: relayed, it refuses; fetched, it arrives.
                // Orthanc's own refusal (C000 in 1.10) is passed on as it is
                int direct = client.move(pacs, study(S3), "UNKNOWN", o -> true).status();
                assertThat(direct).isNotZero();
                assertThat(client.move(harmony(relay), study(S3), "UNKNOWN", o -> true).status()).isEqualTo(direct);
                RetrieveOutcome fetched = client.move(harmony(fetch), study(S3), "UNKNOWN", o -> true);
                assertThat(fetched).isEqualTo(new RetrieveOutcome(0, -1, 4, 0, 0));
                Map<String, byte[]> sent = datasets(corpus.stream().filter(f -> f.getFileName().toString()
                        .contains(S3 + ".")).toList());
                Map<String, byte[]> got;
                try (Stream<Path> files = Files.list(unknown.dir())) {
                    got = datasets(files.toList());
                }
                assertThat(sent).hasSize(4);
                assertThat(got.keySet()).isEqualTo(sent.keySet());
                sent.forEach((uid, bytes) -> assertThat(got.get(uid)).as(uid).isEqualTo(bytes));
            }
        }
    }

    /** getscu's C-GET relayed to Orthanc: every instance comes back on getscu's association, byte-identical. */
    @Test
    void getscuGetsAStudyFromOrthancThroughTheProxy() throws Exception {
        List<Path> corpus = QueryCorpus.write(tmp.resolve("corpus"));
        try (Orthanc orthanc = Orthanc.start(Files.createDirectories(tmp.resolve("orthanc")), "ORTHANC")) {
            DicomNode pacs = DicomNode.of("ORTHANC", "127.0.0.1", orthanc.dicomPort());
            assertThat(client.store(pacs, corpus)).containsOnly(0);
            try (Pipeline relay = proxy(PacsProxy.to(pacs))) {
                Path out = Files.createDirectories(tmp.resolve("got"));
                Dcmtk.Result r = Dcmtk.run(TIMEOUT, "getscu", "-v", "-S", "-aet", "GETTER", "-aec", "HARMONY", "-od",
                        out.toString(), "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + S1, "127.0.0.1",
                        String.valueOf(harmony(relay).port()));
                assertThat(r.exitCode()).as(r.output()).isZero();
                assertThat(r.output()).contains("Received C-GET Response (Success)")
                        .contains("Number of Completed Suboperations : 5");
                Map<String, byte[]> sent = datasets(corpus.stream().filter(f -> f.getFileName().toString()
                        .contains(S1 + ".")).toList());
                Map<String, byte[]> got;
                try (Stream<Path> files = Files.list(out)) {
                    got = datasets(files.toList());
                }
                assertThat(sent).hasSize(5);
                assertThat(got.keySet()).isEqualTo(sent.keySet());
                sent.forEach((uid, bytes) -> assertThat(got.get(uid)).as(uid).isEqualTo(bytes));
            }
        }
    }

    private Pipeline proxy(PacsProxy.Builder backend) {
        Pipeline p = Pipeline.builder().name("proxy")
                .frontend(DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("HARMONY").build())
                .backend(backend.callingAe("HARMONY").build()).build();
        p.start();
        return p;
    }

    private static DicomNode harmony(Pipeline p) {
        return DicomNode.of("HARMONY", "127.0.0.1", ((DicomScp) p.frontend()).localPort());
    }

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
