package dev.harmony.dicom.scu;

import static dev.harmony.dicom.query.QueryCorpus.MR_STORAGE;
import static dev.harmony.dicom.query.QueryCorpus.PR_STORAGE;
import static dev.harmony.dicom.query.QueryCorpus.S1;
import static dev.harmony.dicom.query.QueryCorpus.S3;
import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.dicom.query.RetrieveOutcome;
import dev.harmony.dicom.DcmQrScp;
import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.Part10;
import dev.harmony.dicom.TransferSyntax;
import dev.harmony.dicom.Uids;
import dev.harmony.dicom.backend.DicomFileStore;
import dev.harmony.dicom.frontend.DicomScp;
import dev.harmony.dicom.query.Dataset;
import dev.harmony.dicom.query.DicomQuery;
import dev.harmony.dicom.query.QueryCorpus;
import dev.harmony.dicom.query.QueryKeys;
import dev.harmony.dicom.query.QueryLevel;
import dev.harmony.dicom.query.QueryModel;
import dev.harmony.pipeline.Pipeline;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our C-GET SCU against DCMTK dcmqrscp and against our own SCP: instances arrive byte-identical on the
 * requesting association, an empty match completes nothing, and a failing sink is a failed sub-operation
 * on the peer's side.
 */
class GetScuTest {
    private static final List<String> ALL_CLASSES = List.of(Uids.CT_IMAGE_STORAGE, MR_STORAGE, PR_STORAGE);

    @TempDir
    Path tmp;

    private final DicomClient client = DicomClient.callingAe("GETTER").build();

    private static DicomQuery study(String uid) {
        return DicomQuery.of(QueryModel.STUDY_ROOT, QueryLevel.STUDY, new Dataset().set(QueryKeys.STUDY_INSTANCE_UID, uid));
    }

    /** Collects each instance's data set bytes, keyed by SOP instance UID, checking the transfer syntax. */
    private static InstanceSink collect(Map<String, byte[]> into) {
        return (sopClass, sopInstance, transferSyntax, dataset) -> {
            assertThat(transferSyntax).isEqualTo(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid());
            into.put(sopInstance, dataset.readAllBytes());
        };
    }

    private static void assertIdentical(Map<String, byte[]> got, List<Path> corpus, String study) throws IOException {
        int expected = 0;
        for (Path file : corpus) {
            Part10 original = Part10.read(file);
            if (original.meta().sopInstanceUid().startsWith(study + ".")) {
                expected++;
                assertThat(got.get(original.meta().sopInstanceUid())).as(file.toString()).isEqualTo(original.dataset());
            }
        }
        assertThat(got).hasSize(expected);
    }

    @Test
    void getsAStudyFromDcmqrscpByteIdentical() throws Exception {
        List<Path> corpus = QueryCorpus.write(tmp.resolve("corpus"));
        try (DcmQrScp qr = DcmQrScp.start(tmp, "QRSCP", corpus)) {
            DicomNode pacs = DicomNode.of("QRSCP", "127.0.0.1", qr.port());
            Map<String, byte[]> got = new LinkedHashMap<>();
            RetrieveOutcome r = client.get(pacs, study(S3), ALL_CLASSES, collect(got));
            assertThat(r.status()).as(qr.log()).isZero();
            assertThat(r.completed()).isEqualTo(4); // 3 CT + 1 presentation state
            assertThat(r.failed()).isZero();
            assertThat(r.refusedByUs()).isEmpty();
            assertIdentical(got, corpus, S3);

            Map<String, byte[]> none = new LinkedHashMap<>();
            RetrieveOutcome empty = client.get(pacs, study(QueryCorpus.ROOT + ".99"), ALL_CLASSES, collect(none));
            assertThat(empty.status()).isZero();
            assertThat(empty.completed()).isZero();
            assertThat(empty.failed()).isZero();
            assertThat(none).isEmpty();
        }
    }

    @Test
    void aFailingSinkIsAFailedSubOperationAtDcmqrscp() throws Exception {
        List<Path> corpus = QueryCorpus.write(tmp.resolve("corpus"));
        try (DcmQrScp qr = DcmQrScp.start(tmp, "QRSCP", corpus)) {
            String refused = QueryCorpus.instance(S1, 1, 2);
            Map<String, byte[]> got = new LinkedHashMap<>();
            InstanceSink collecting = collect(got);
            RetrieveOutcome r = client.get(DicomNode.of("QRSCP", "127.0.0.1", qr.port()), study(S1), ALL_CLASSES,
                    (sopClass, sopInstance, ts, dataset) -> {
                        if (sopInstance.equals(refused)) {
                            dataset.readNBytes(10); // part of it read: the rest must still be skipped
                            throw new IOException("disk full");
                        }
                        collecting.accept(sopClass, sopInstance, ts, dataset);
                    });
            assertThat(r.failed()).as(qr.log()).isEqualTo(1);
            assertThat(r.completed()).isEqualTo(4);
            assertThat(r.status()).isEqualTo(0xB000);
            assertThat(r.refusedByUs()).containsExactly(refused);
            assertThat(got).hasSize(4).doesNotContainKey(refused);
            // The association stayed usable after the refusal: a second C-GET on the PACS works.
            assertThat(client.get(DicomNode.of("QRSCP", "127.0.0.1", qr.port()), study(S3), ALL_CLASSES,
                    collect(new LinkedHashMap<>())).completed()).isEqualTo(4);
        }
    }

    @Test
    void getsFromOurOwnScpIntoADirectory() throws Exception {
        List<Path> corpus = QueryCorpus.write(tmp.resolve("corpus"));
        DicomScp scp = DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("HARMONY").build();
        try (Pipeline p = Pipeline.builder().name("get").frontend(scp)
                .backend(DicomFileStore.under(tmp.resolve("store")).indexed().build()).build()) {
            p.start();
            DicomNode harmony = DicomNode.of("HARMONY", "127.0.0.1", scp.localPort());
            assertThat(client.store(harmony, corpus)).containsOnly(0);

            Path dir = Files.createDirectories(tmp.resolve("got"));
            RetrieveOutcome r = client.get(harmony, study(S1), ALL_CLASSES, InstanceSink.toDirectory(dir));
            assertThat(r.status()).isZero();
            assertThat(r.completed()).isEqualTo(5);
            Map<String, byte[]> got = new LinkedHashMap<>();
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Part10 part10 = Part10.read(f);
                    assertThat(f.getFileName().toString()).isEqualTo(part10.meta().sopInstanceUid() + ".dcm");
                    got.put(part10.meta().sopInstanceUid(), part10.dataset());
                }
            }
            assertIdentical(got, corpus, S1);

            RetrieveOutcome empty = client.get(harmony, study(QueryCorpus.ROOT + ".99"), ALL_CLASSES, collect(got));
            assertThat(empty.status()).isZero();
            assertThat(empty.completed()).isZero();

            String refused = QueryCorpus.instance(S3, 1, 1);
            RetrieveOutcome failing = client.get(harmony, study(S3), ALL_CLASSES, (sopClass, sopInstance, ts, dataset) -> {
                if (sopInstance.equals(refused)) {
                    throw new IllegalStateException("sink bug");
                }
            });
            assertThat(failing.status()).isEqualTo(0xB000);
            assertThat(failing.completed()).isEqualTo(3);
            assertThat(failing.failed()).isEqualTo(1);
            assertThat(failing.refusedByUs()).containsExactly(refused);

            // A class we did not propose cannot come back: the presentation state counts as failed.
            RetrieveOutcome ctOnly = client.get(harmony, study(S3), List.of(Uids.CT_IMAGE_STORAGE), collect(new LinkedHashMap<>()));
            assertThat(ctOnly.completed()).isEqualTo(3);
            assertThat(ctOnly.failed()).isEqualTo(1);
            assertThat(ctOnly.status()).isEqualTo(0xB000);
            assertThat(client.echo(harmony)).isZero();

            // C-CANCEL after the first Pending: our SCP stops before the study is complete (FE00).
            Map<String, byte[]> partial = new LinkedHashMap<>();
            List<Integer> pendings = new java.util.ArrayList<>();
            RetrieveOutcome cancelled = client.get(harmony, study(S1), ALL_CLASSES, collect(partial), progress -> {
                pendings.add(progress.completed());
                return false;
            });
            assertThat(cancelled.status()).isEqualTo(0xFE00);
            assertThat(pendings).containsExactly(1);
            assertThat(cancelled.completed()).isBetween(1, 2).isEqualTo(partial.size()); // at most the one in flight
            assertThat(client.echo(harmony)).isZero();
        }
    }
}
