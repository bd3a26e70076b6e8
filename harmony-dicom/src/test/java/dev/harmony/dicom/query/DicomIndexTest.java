package dev.harmony.dicom.query;

import static dev.harmony.dicom.query.QueryCorpus.S1;
import static dev.harmony.dicom.query.QueryCorpus.S2;
import static dev.harmony.dicom.query.QueryCorpus.S3;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded index against the known corpus: every level, every kind of matching, restart and reindex. */
class DicomIndexTest {
    @TempDir
    Path tmp;
    Path store;
    DicomIndex index;

    @BeforeEach
    void fill() throws IOException {
        store = tmp.resolve("store");
        QueryCorpus.write(store.resolve("in"));
        index = DicomIndex.embedded(store.resolve(".index"));
        assertThat(index.reindex(store)).isEqualTo(11);
    }

    @AfterEach
    void close() {
        index.close();
    }

    /** Runs a query with {@code keys} as tag/value pairs (value "" = return key). */
    static List<Dataset> find(DicomIndex index, QueryModel model, QueryLevel level, Object... keys) throws IOException {
        Dataset d = new Dataset();
        for (int i = 0; i < keys.length; i += 2) {
            d.set((Integer) keys[i], (String) keys[i + 1]);
        }
        List<Dataset> out = new ArrayList<>();
        try (QueryResults r = index.find(DicomQuery.of(model, level, d), "HARMONY")) {
            for (Dataset m = r.next(); m != null; m = r.next()) {
                out.add(m);
            }
        }
        return out;
    }

    private List<String> values(List<Dataset> matches, int tag) {
        return matches.stream().map(m -> m.string(tag).orElse("<absent>")).sorted().toList();
    }

    @Test
    void patientLevelGroupsAndCounts() throws IOException {
        List<Dataset> m = find(index, QueryModel.PATIENT_ROOT, QueryLevel.PATIENT, QueryKeys.PATIENT_NAME, "",
                QueryKeys.PATIENT_ID, "", QueryKeys.NUMBER_OF_PATIENT_RELATED_STUDIES, "",
                QueryKeys.NUMBER_OF_PATIENT_RELATED_SERIES, "", QueryKeys.NUMBER_OF_PATIENT_RELATED_INSTANCES, "",
                QueryKeys.PATIENT_SEX, "");
        assertThat(values(m, QueryKeys.PATIENT_NAME)).containsExactly("Doe^John", "Smith^Jane");
        Dataset doe = m.stream().filter(d -> d.string(QueryKeys.PATIENT_ID).orElse("").equals("PID1")).findFirst()
                .orElseThrow();
        assertThat(doe.string(QueryKeys.NUMBER_OF_PATIENT_RELATED_STUDIES)).contains("2");
        assertThat(doe.string(QueryKeys.NUMBER_OF_PATIENT_RELATED_SERIES)).contains("3");
        assertThat(doe.string(QueryKeys.NUMBER_OF_PATIENT_RELATED_INSTANCES)).contains("7");
        assertThat(doe.string(QueryKeys.PATIENT_SEX)).contains("M");
        assertThat(doe.string(QueryKeys.QUERY_RETRIEVE_LEVEL)).contains("PATIENT");
        assertThat(doe.string(QueryKeys.SPECIFIC_CHARACTER_SET)).contains("ISO_IR 100");
        assertThat(doe.contains(QueryKeys.STUDY_DATE)).as("only requested keys").isFalse();
    }

    @Test
    void studyLevelReturnsModalitiesAndCounts() throws IOException {
        List<Dataset> m = find(index, QueryModel.PATIENT_ROOT, QueryLevel.STUDY, QueryKeys.PATIENT_ID, "PID1",
                QueryKeys.STUDY_INSTANCE_UID, "", QueryKeys.MODALITIES_IN_STUDY, "",
                QueryKeys.NUMBER_OF_STUDY_RELATED_INSTANCES, "", QueryKeys.NUMBER_OF_STUDY_RELATED_SERIES, "",
                QueryKeys.RETRIEVE_AE_TITLE, "");
        assertThat(values(m, QueryKeys.STUDY_INSTANCE_UID)).containsExactly(S1, S2);
        Dataset s1 = m.stream().filter(d -> d.string(QueryKeys.STUDY_INSTANCE_UID).orElse("").equals(S1)).findFirst()
                .orElseThrow();
        assertThat(s1.string(QueryKeys.MODALITIES_IN_STUDY)).contains("CT");
        assertThat(s1.string(QueryKeys.NUMBER_OF_STUDY_RELATED_INSTANCES)).contains("5");
        assertThat(s1.string(QueryKeys.NUMBER_OF_STUDY_RELATED_SERIES)).contains("2");
        assertThat(s1.string(QueryKeys.RETRIEVE_AE_TITLE)).contains("HARMONY");
    }

    @Test
    void modalitiesInStudyMatchesAnySeries() throws IOException {
        List<Dataset> m = find(index, QueryModel.STUDY_ROOT, QueryLevel.STUDY, QueryKeys.MODALITIES_IN_STUDY, "PR",
                QueryKeys.STUDY_INSTANCE_UID, "");
        assertThat(values(m, QueryKeys.STUDY_INSTANCE_UID)).containsExactly(S3);
        assertThat(m.get(0).string(QueryKeys.MODALITIES_IN_STUDY)).contains("CT\\PR");
        assertThat(values(find(index, QueryModel.STUDY_ROOT, QueryLevel.STUDY, QueryKeys.MODALITIES_IN_STUDY, "MR\\PR",
                QueryKeys.STUDY_INSTANCE_UID, ""), QueryKeys.STUDY_INSTANCE_UID)).containsExactly(S2, S3);
    }

    @Test
    void wildcardsRangesListsAndUniversal() throws IOException {
        QueryModel sr = QueryModel.STUDY_ROOT;
        QueryLevel st = QueryLevel.STUDY;
        int uid = QueryKeys.STUDY_INSTANCE_UID;
        assertThat(values(find(index, sr, st, QueryKeys.PATIENT_NAME, "Sm*", uid, ""), uid)).containsExactly(S3);
        assertThat(values(find(index, sr, st, QueryKeys.PATIENT_NAME, "D?e^J*", uid, ""), uid)).containsExactly(S1, S2);
        assertThat(values(find(index, sr, st, QueryKeys.PATIENT_NAME, "Doe", uid, ""), uid)).as("single value is exact")
                .isEmpty();
        assertThat(values(find(index, sr, st, QueryKeys.STUDY_DATE, "20200101-20211231", uid, ""), uid))
                .containsExactly(S1, S2);
        assertThat(values(find(index, sr, st, QueryKeys.STUDY_DATE, "-20200201", uid, ""), uid)).containsExactly(S1);
        assertThat(values(find(index, sr, st, QueryKeys.STUDY_DATE, "20220101-", uid, ""), uid)).containsExactly(S3);
        assertThat(values(find(index, sr, st, QueryKeys.STUDY_DATE, "20220301", uid, ""), uid)).containsExactly(S3);
        assertThat(values(find(index, sr, st, QueryKeys.STUDY_TIME, "0800-1000", uid, ""), uid)).containsExactly(S2);
        assertThat(values(find(index, sr, st, QueryKeys.STUDY_TIME, "1015-1400", uid, ""), uid))
                .as("an upper bound includes the seconds of its minute").containsExactly(S1, S3);
        assertThat(values(find(index, sr, st, uid, S1 + "\\" + S3), uid)).containsExactly(S1, S3);
        assertThat(values(find(index, sr, st, QueryKeys.ACCESSION_NUMBER, "ACC2", uid, ""), uid)).containsExactly(S2);
        assertThat(values(find(index, sr, st, QueryKeys.ACCESSION_NUMBER, "*", uid, ""), uid)).hasSize(3);
        assertThat(values(find(index, sr, st, uid, ""), uid)).containsExactly(S1, S2, S3);
        assertThat(values(find(index, sr, st, QueryKeys.STUDY_DESCRIPTION, "CT_HEAD", uid, ""), uid))
                .as("SQL wildcards in values are literal").isEmpty();
    }

    @Test
    void seriesAndImageLevels() throws IOException {
        List<Dataset> series = find(index, QueryModel.STUDY_ROOT, QueryLevel.SERIES, QueryKeys.STUDY_INSTANCE_UID, S1,
                QueryKeys.SERIES_INSTANCE_UID, "", QueryKeys.MODALITY, "", QueryKeys.SERIES_NUMBER, "",
                QueryKeys.NUMBER_OF_SERIES_RELATED_INSTANCES, "");
        assertThat(values(series, QueryKeys.SERIES_NUMBER)).containsExactly("1", "2");
        assertThat(values(series, QueryKeys.NUMBER_OF_SERIES_RELATED_INSTANCES)).containsExactly("2", "3");
        List<Dataset> images = find(index, QueryModel.PATIENT_ROOT, QueryLevel.IMAGE, QueryKeys.PATIENT_ID, "PID2",
                QueryKeys.STUDY_INSTANCE_UID, S3, QueryKeys.SERIES_INSTANCE_UID, QueryCorpus.series(S3, 1),
                QueryKeys.SOP_INSTANCE_UID, "", QueryKeys.INSTANCE_NUMBER, "", QueryKeys.SOP_CLASS_UID, "");
        assertThat(values(images, QueryKeys.INSTANCE_NUMBER)).containsExactly("1", "2", "3");
        assertThat(values(images, QueryKeys.SOP_CLASS_UID)).containsOnly("1.2.840.10008.5.1.4.1.1.2");
        assertThat(find(index, QueryModel.STUDY_ROOT, QueryLevel.IMAGE, QueryKeys.STUDY_INSTANCE_UID, S3,
                QueryKeys.SERIES_INSTANCE_UID, QueryCorpus.series(S3, 2), QueryKeys.SOP_INSTANCE_UID,
                QueryCorpus.instance(S3, 2, 1))).hasSize(1);
    }

    @Test
    void hierarchicalQueriesNeedTheHigherUniqueKeys() {
        assertThatThrownBy(() -> find(index, QueryModel.STUDY_ROOT, QueryLevel.SERIES, QueryKeys.MODALITY, "CT"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("STUDY level unique key");
        assertThatThrownBy(() -> find(index, QueryModel.PATIENT_ROOT, QueryLevel.STUDY, QueryKeys.PATIENT_ID, "PID*"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PATIENT level unique key");
        assertThatThrownBy(() -> DicomQuery.of(QueryModel.STUDY_ROOT, QueryLevel.PATIENT, new Dataset()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void survivesARestartAndReindexFollowsTheFiles() throws IOException {
        index.close();
        index = DicomIndex.embedded(store.resolve(".index"));
        assertThat(index.size()).isEqualTo(11);
        Files.delete(store.resolve("in").resolve(QueryCorpus.instance(S2, 1, 1) + ".dcm"));
        Files.writeString(store.resolve("in").resolve("not-dicom.dcm"), "hello");
        Files.writeString(store.resolve("in").resolve(".half-written.part"), "DICM");
        assertThat(index.reindex(store)).isEqualTo(10);
        assertThat(find(index, QueryModel.STUDY_ROOT, QueryLevel.STUDY, QueryKeys.STUDY_INSTANCE_UID, S2,
                QueryKeys.NUMBER_OF_STUDY_RELATED_INSTANCES, "").get(0).string(QueryKeys.NUMBER_OF_STUDY_RELATED_INSTANCES))
                .contains("1");
    }
}
