package dev.harmony.dicom.query;

import dev.harmony.dicom.TransferSyntax;
import dev.harmony.dicom.Uids;
import dev.harmony.dicom.internal.file.FileMeta;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A small known set of Part-10 objects for query tests: two patients, three studies, five series,
 * eleven instances, explicit VR little endian, written with our own encoder (DCMTK's storescu sends them).
 *
 * <pre>
 *  PID1 Doe^John   19700101 M  S1 20200115 101500 ACC1 "CT HEAD"  series 1 CT (3), series 2 CT (2)
 *                              S2 20210620 083000 ACC2 "MR KNEE"  series 1 MR (2)
 *  PID2 Smith^Jane 19851224 F  S3 20220301 140000 ACC3 "CT CHEST" series 1 CT (3), series 2 PR (1)
 * </pre>
 */
public final class QueryCorpus {
    public static final String ROOT = "1.2.826.0.1.3680043.9.7777";
    public static final String S1 = ROOT + ".1";
    public static final String S2 = ROOT + ".2";
    public static final String S3 = ROOT + ".3";
    public static final String PR_STORAGE = "1.2.840.10008.5.1.4.1.1.11.1";
    public static final String MR_STORAGE = "1.2.840.10008.5.1.4.1.1.4";

    private QueryCorpus() {
    }

    /** The series UID {@code n} of {@code study}. */
    public static String series(String study, int n) {
        return study + "." + n;
    }

    /** The instance UID {@code i} of series {@code n} of {@code study}. */
    public static String instance(String study, int n, int i) {
        return study + "." + n + "." + i;
    }

    /** Writes the corpus into {@code dir}; returns the files. */
    public static List<Path> write(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        Dataset p1 = patient("Doe^John", "PID1", "19700101", "M");
        Dataset p2 = patient("Smith^Jane", "PID2", "19851224", "F");
        study(dir, files, p1, S1, "20200115", "101500", "ACC1", "CT HEAD", new String[] {"CT", "CT"}, new int[] {3, 2});
        study(dir, files, p1, S2, "20210620", "083000", "ACC2", "MR KNEE", new String[] {"MR"}, new int[] {2});
        study(dir, files, p2, S3, "20220301", "140000", "ACC3", "CT CHEST", new String[] {"CT", "PR"}, new int[] {3, 1});
        return files;
    }

    private static Dataset patient(String name, String id, String birth, String sex) {
        return new Dataset().set(QueryKeys.PATIENT_NAME, name).set(QueryKeys.PATIENT_ID, id)
                .set(QueryKeys.PATIENT_BIRTH_DATE, birth).set(QueryKeys.PATIENT_SEX, sex);
    }

    private static void study(Path dir, List<Path> files, Dataset patient, String study, String date, String time,
            String accession, String description, String[] modalities, int[] counts) throws IOException {
        for (int s = 0; s < modalities.length; s++) {
            for (int i = 1; i <= counts[s]; i++) {
                String sopClass = switch (modalities[s]) {
                    case "MR" -> MR_STORAGE;
                    case "PR" -> PR_STORAGE;
                    default -> Uids.CT_IMAGE_STORAGE;
                };
                Dataset d = new Dataset();
                for (int tag : patient.tags()) {
                    d.set(tag, patient.string(tag).orElseThrow());
                }
                d.set(QueryKeys.SPECIFIC_CHARACTER_SET, "ISO_IR 100")
                        .set(QueryKeys.SOP_CLASS_UID, sopClass)
                        .set(QueryKeys.SOP_INSTANCE_UID, instance(study, s + 1, i))
                        .set(QueryKeys.STUDY_DATE, date).set(QueryKeys.STUDY_TIME, time)
                        .set(QueryKeys.ACCESSION_NUMBER, accession).set(QueryKeys.MODALITY, modalities[s])
                        .set(QueryKeys.REFERRING_PHYSICIAN_NAME, "Welby^Marcus")
                        .set(QueryKeys.STUDY_DESCRIPTION, description)
                        .set(QueryKeys.STUDY_INSTANCE_UID, study)
                        .set(QueryKeys.SERIES_INSTANCE_UID, series(study, s + 1))
                        .set(QueryKeys.STUDY_ID, study.substring(study.length() - 1))
                        .set(QueryKeys.SERIES_NUMBER, Integer.toString(s + 1))
                        .set(QueryKeys.INSTANCE_NUMBER, Integer.toString(i));
                files.add(write(dir, d));
            }
        }
    }

    /** Writes {@code d} as a Part-10 file named after its SOP Instance UID. */
    public static Path write(Path dir, Dataset d) throws IOException {
        String sop = d.string(QueryKeys.SOP_INSTANCE_UID).orElseThrow();
        Path file = dir.resolve(sop + ".dcm");
        byte[] meta = new FileMeta(d.string(QueryKeys.SOP_CLASS_UID).orElseThrow(), sop,
                TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid(), null).encode();
        byte[] body = d.encode(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
        byte[] all = new byte[meta.length + body.length];
        System.arraycopy(meta, 0, all, 0, meta.length);
        System.arraycopy(body, 0, all, meta.length, body.length);
        Files.write(file, all);
        return file;
    }
}
