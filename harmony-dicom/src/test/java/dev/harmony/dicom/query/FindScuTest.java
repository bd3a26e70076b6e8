package dev.harmony.dicom.query;

import static dev.harmony.dicom.query.QueryCorpus.S1;
import static dev.harmony.dicom.query.QueryCorpus.S2;
import static dev.harmony.dicom.query.QueryCorpus.S3;
import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.dicom.Dcmtk;
import dev.harmony.dicom.DicomAttributes;
import dev.harmony.dicom.TransferSyntax;
import dev.harmony.dicom.backend.DicomFileStore;
import dev.harmony.dicom.frontend.DicomScp;
import dev.harmony.dicom.internal.file.FileMeta;
import dev.harmony.dicom.middleware.AeTitleCheck;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Middleware;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.pipeline.Rejection;
import java.io.InputStream;
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

/** DCMTK findscu against our SCP answering from the file store's index (loaded by DCMTK storescu). */
class FindScuTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;
    private Path store;
    private Pipeline pipeline;
    private DicomScp scp;

    @BeforeEach
    void start() throws Exception {
        store = tmp.resolve("store");
        pipeline = pipeline(store);
        List<String> args = new ArrayList<>(List.of(Dcmtk.require("storescu"), "-aet", "MODALITY", "-aec", "HARMONY",
                "127.0.0.1", String.valueOf(scp.localPort())));
        QueryCorpus.write(tmp.resolve("corpus")).forEach(p -> args.add(p.toString()));
        Dcmtk.Result r = Dcmtk.run(args, TIMEOUT);
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    private Pipeline pipeline(Path dir) {
        scp = DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("HARMONY").build();
        // A guard on the C-FIND exchange itself: a caller named NOSY may associate but not query.
        Middleware noNosyQueries = chain -> chain.request().operation().equals(DicomAttributes.OP_C_FIND)
                && chain.request().attribute(DicomAttributes.CALLING_AE).orElse("").equals("NOSY")
                ? Response.rejected(Rejection.forbidden("NOSY may not query")) : chain.proceed(chain.request());
        Pipeline p = Pipeline.builder().name("find-test").frontend(scp)
                .use(AeTitleCheck.allow("MODALITY", "FINDSCU", "NOSY").build())
                .use(noNosyQueries)
                .backend(DicomFileStore.under(dir).indexed().build())
                .build();
        p.start();
        return p;
    }

    @AfterEach
    void stop() {
        pipeline.close();
    }

    /** Runs findscu with {@code options} and -k keys; returns the identifiers it received (from -X files). */
    private Found findscu(String... options) throws Exception {
        Path out = Files.createTempDirectory(tmp, "rsp");
        List<String> cmd = new ArrayList<>(List.of(Dcmtk.require("findscu"), "-v", "-aet", "FINDSCU", "-aec", "HARMONY",
                "-X", "-od", out.toString()));
        for (String o : options) {
            cmd.add(o);
        }
        cmd.add("127.0.0.1");
        cmd.add(String.valueOf(scp.localPort()));
        Dcmtk.Result r = Dcmtk.run(cmd, TIMEOUT);
        List<Dataset> matches = new ArrayList<>();
        try (Stream<Path> files = Files.list(out)) {
            for (Path f : files.sorted().toList()) {
                try (InputStream in = Files.newInputStream(f)) {
                    FileMeta.Opened o = FileMeta.read(in);
                    matches.add(Dataset.decode(o.dataset().readAllBytes(),
                            TransferSyntax.of(o.meta().transferSyntaxUid()).orElseThrow()));
                }
            }
        }
        return new Found(r, matches);
    }

    record Found(Dcmtk.Result result, List<Dataset> matches) {
        List<String> values(int tag) {
            return matches.stream().map(m -> m.string(tag).orElse("<absent>")).sorted().toList();
        }
    }

    @Test
    void patientRootAtEveryLevel() throws Exception {
        Found patients = findscu("-P", "-k", "QueryRetrieveLevel=PATIENT", "-k", "PatientID", "-k", "PatientName",
                "-k", "NumberOfPatientRelatedStudies");
        assertThat(patients.result().exitCode()).as(patients.result().output()).isZero();
        assertThat(patients.values(QueryKeys.PATIENT_NAME)).containsExactly("Doe^John", "Smith^Jane");
        assertThat(patients.values(QueryKeys.NUMBER_OF_PATIENT_RELATED_STUDIES)).containsExactly("1", "2");

        Found studies = findscu("-P", "-k", "QueryRetrieveLevel=STUDY", "-k", "PatientID=PID1", "-k", "StudyInstanceUID",
                "-k", "StudyDate", "-k", "AccessionNumber");
        assertThat(studies.values(QueryKeys.STUDY_INSTANCE_UID)).containsExactly(S1, S2);
        assertThat(studies.values(QueryKeys.ACCESSION_NUMBER)).containsExactly("ACC1", "ACC2");

        Found series = findscu("-P", "-k", "QueryRetrieveLevel=SERIES", "-k", "PatientID=PID2", "-k",
                "StudyInstanceUID=" + S3, "-k", "SeriesInstanceUID", "-k", "Modality");
        assertThat(series.values(QueryKeys.MODALITY)).containsExactly("CT", "PR");

        Found images = findscu("-P", "-k", "QueryRetrieveLevel=IMAGE", "-k", "PatientID=PID1", "-k",
                "StudyInstanceUID=" + S1, "-k", "SeriesInstanceUID=" + QueryCorpus.series(S1, 1), "-k", "SOPInstanceUID",
                "-k", "InstanceNumber");
        assertThat(images.values(QueryKeys.INSTANCE_NUMBER)).containsExactly("1", "2", "3");
    }

    @Test
    void studyRootMatchingKinds() throws Exception {
        assertThat(findscu("-S", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID", "-k", "PatientName=Sm*")
                .values(QueryKeys.STUDY_INSTANCE_UID)).containsExactly(S3);
        assertThat(findscu("-S", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID", "-k",
                "StudyDate=20200101-20211231").values(QueryKeys.STUDY_INSTANCE_UID)).containsExactly(S1, S2);
        assertThat(findscu("-S", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=" + S1 + "\\" + S3)
                .values(QueryKeys.STUDY_INSTANCE_UID)).containsExactly(S1, S3);
        Found all = findscu("-S", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID", "-k", "ModalitiesInStudy",
                "-k", "NumberOfStudyRelatedInstances");
        assertThat(all.values(QueryKeys.MODALITIES_IN_STUDY)).containsExactly("CT", "CT\\PR", "MR");
        assertThat(all.values(QueryKeys.NUMBER_OF_STUDY_RELATED_INSTANCES)).containsExactly("2", "4", "5");
        assertThat(findscu("-S", "-k", "QueryRetrieveLevel=SERIES", "-k", "StudyInstanceUID=" + S2, "-k",
                "SeriesInstanceUID", "-k", "NumberOfSeriesRelatedInstances")
                .values(QueryKeys.NUMBER_OF_SERIES_RELATED_INSTANCES)).containsExactly("2");
        assertThat(findscu("-S", "-xi", "-k", "QueryRetrieveLevel=IMAGE", "-k", "StudyInstanceUID=" + S3, "-k",
                "SeriesInstanceUID=" + QueryCorpus.series(S3, 2), "-k", "SOPInstanceUID", "-k", "SOPClassUID")
                .values(QueryKeys.SOP_CLASS_UID)).as("implicit VR").containsExactly(QueryCorpus.PR_STORAGE);
    }

    @Test
    void badIdentifiersGetFailureStatusesAndTheScpKeepsServing() throws Exception {
        Found noUniqueKey = findscu("-S", "-k", "QueryRetrieveLevel=SERIES", "-k", "Modality=CT");
        assertThat(noUniqueKey.matches()).isEmpty();
        assertThat(noUniqueKey.result().output()).contains("Final Find Response (Error: DataSetDoesNotMatchSOPClass");
        Found badLevel = findscu("-S", "-k", "QueryRetrieveLevel=PATIENT", "-k", "PatientID");
        assertThat(badLevel.result().output()).contains("Final Find Response (Error: DataSetDoesNotMatchSOPClass");
        Found forbidden = findscu("-aet", "NOSY", "-S", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID");
        assertThat(forbidden.matches()).isEmpty();
        assertThat(forbidden.result().output()).as("0124 refused: not authorized (PS3.7 C.5)").contains("Final Find Response (Unknown Status: 0x124)");
        assertThat(findscu("-S", "-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID").matches()).hasSize(3);
    }

    @Test
    void theIndexSurvivesARestartWithTheSameDirectory() throws Exception {
        pipeline.close();
        pipeline = pipeline(store);
        assertThat(findscu("-S", "-k", "QueryRetrieveLevel=IMAGE", "-k", "StudyInstanceUID=" + S1, "-k",
                "SeriesInstanceUID=" + QueryCorpus.series(S1, 2), "-k", "SOPInstanceUID").matches()).hasSize(2);
    }
}
