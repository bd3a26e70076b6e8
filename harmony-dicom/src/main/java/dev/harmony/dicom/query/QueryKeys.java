package dev.harmony.dicom.query;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The attributes the query services know (PS3.4 C.6.1 and C.6.2), with their VR and the level whose
 * entity they describe. Tags are {@code (group << 16) | element}.
 */
public final class QueryKeys {
    public static final int SPECIFIC_CHARACTER_SET = 0x0008_0005;
    public static final int QUERY_RETRIEVE_LEVEL = 0x0008_0052;
    public static final int RETRIEVE_AE_TITLE = 0x0008_0054;
    public static final int INSTANCE_AVAILABILITY = 0x0008_0056;

    public static final int PATIENT_NAME = 0x0010_0010;
    public static final int PATIENT_ID = 0x0010_0020;
    public static final int ISSUER_OF_PATIENT_ID = 0x0010_0021;
    public static final int PATIENT_BIRTH_DATE = 0x0010_0030;
    public static final int PATIENT_SEX = 0x0010_0040;
    public static final int NUMBER_OF_PATIENT_RELATED_STUDIES = 0x0020_1200;
    public static final int NUMBER_OF_PATIENT_RELATED_SERIES = 0x0020_1202;
    public static final int NUMBER_OF_PATIENT_RELATED_INSTANCES = 0x0020_1204;

    public static final int STUDY_DATE = 0x0008_0020;
    public static final int STUDY_TIME = 0x0008_0030;
    public static final int ACCESSION_NUMBER = 0x0008_0050;
    public static final int MODALITIES_IN_STUDY = 0x0008_0061;
    public static final int REFERRING_PHYSICIAN_NAME = 0x0008_0090;
    public static final int STUDY_DESCRIPTION = 0x0008_1030;
    public static final int STUDY_INSTANCE_UID = 0x0020_000D;
    public static final int STUDY_ID = 0x0020_0010;
    public static final int NUMBER_OF_STUDY_RELATED_SERIES = 0x0020_1206;
    public static final int NUMBER_OF_STUDY_RELATED_INSTANCES = 0x0020_1208;

    public static final int SERIES_DATE = 0x0008_0021;
    public static final int SERIES_TIME = 0x0008_0031;
    public static final int MODALITY = 0x0008_0060;
    public static final int SERIES_DESCRIPTION = 0x0008_103E;
    public static final int SERIES_INSTANCE_UID = 0x0020_000E;
    public static final int SERIES_NUMBER = 0x0020_0011;
    public static final int NUMBER_OF_SERIES_RELATED_INSTANCES = 0x0020_1209;

    public static final int SOP_CLASS_UID = 0x0008_0016;
    public static final int SOP_INSTANCE_UID = 0x0008_0018;
    public static final int CONTENT_DATE = 0x0008_0023;
    public static final int CONTENT_TIME = 0x0008_0033;
    public static final int INSTANCE_NUMBER = 0x0020_0013;

    /** One known attribute: its VR and the level of the entity it belongs to (null: not an entity attribute). */
    record Key(int tag, String vr, QueryLevel level, String column) {
    }

    private static final Map<Integer, Key> KEYS = new LinkedHashMap<>();

    static {
        key(SPECIFIC_CHARACTER_SET, "CS", null, "charset");
        key(QUERY_RETRIEVE_LEVEL, "CS", null, null);
        key(RETRIEVE_AE_TITLE, "AE", null, null);
        key(INSTANCE_AVAILABILITY, "CS", null, null);
        key(PATIENT_NAME, "PN", QueryLevel.PATIENT, "patient_name");
        key(PATIENT_ID, "LO", QueryLevel.PATIENT, "patient_id");
        key(ISSUER_OF_PATIENT_ID, "LO", QueryLevel.PATIENT, "issuer");
        key(PATIENT_BIRTH_DATE, "DA", QueryLevel.PATIENT, "birth_date");
        key(PATIENT_SEX, "CS", QueryLevel.PATIENT, "sex");
        key(NUMBER_OF_PATIENT_RELATED_STUDIES, "IS", QueryLevel.PATIENT, null);
        key(NUMBER_OF_PATIENT_RELATED_SERIES, "IS", QueryLevel.PATIENT, null);
        key(NUMBER_OF_PATIENT_RELATED_INSTANCES, "IS", QueryLevel.PATIENT, null);
        key(STUDY_DATE, "DA", QueryLevel.STUDY, "study_date");
        key(STUDY_TIME, "TM", QueryLevel.STUDY, "study_time");
        key(ACCESSION_NUMBER, "SH", QueryLevel.STUDY, "accession");
        key(MODALITIES_IN_STUDY, "CS", QueryLevel.STUDY, null);
        key(REFERRING_PHYSICIAN_NAME, "PN", QueryLevel.STUDY, "referring");
        key(STUDY_DESCRIPTION, "LO", QueryLevel.STUDY, "study_desc");
        key(STUDY_INSTANCE_UID, "UI", QueryLevel.STUDY, "study_uid");
        key(STUDY_ID, "SH", QueryLevel.STUDY, "study_id");
        key(NUMBER_OF_STUDY_RELATED_SERIES, "IS", QueryLevel.STUDY, null);
        key(NUMBER_OF_STUDY_RELATED_INSTANCES, "IS", QueryLevel.STUDY, null);
        key(SERIES_DATE, "DA", QueryLevel.SERIES, "series_date");
        key(SERIES_TIME, "TM", QueryLevel.SERIES, "series_time");
        key(MODALITY, "CS", QueryLevel.SERIES, "modality");
        key(SERIES_DESCRIPTION, "LO", QueryLevel.SERIES, "series_desc");
        key(SERIES_INSTANCE_UID, "UI", QueryLevel.SERIES, "series_uid");
        key(SERIES_NUMBER, "IS", QueryLevel.SERIES, "series_number");
        key(NUMBER_OF_SERIES_RELATED_INSTANCES, "IS", QueryLevel.SERIES, null);
        key(SOP_CLASS_UID, "UI", QueryLevel.IMAGE, "sop_class");
        key(SOP_INSTANCE_UID, "UI", QueryLevel.IMAGE, "sop_uid");
        key(CONTENT_DATE, "DA", QueryLevel.IMAGE, "content_date");
        key(CONTENT_TIME, "TM", QueryLevel.IMAGE, "content_time");
        key(INSTANCE_NUMBER, "IS", QueryLevel.IMAGE, "instance_number");
    }

    private QueryKeys() {
    }

    private static void key(int tag, String vr, QueryLevel level, String column) {
        KEYS.put(tag, new Key(tag, vr, level, column));
    }

    static Optional<Key> key(int tag) {
        return Optional.ofNullable(KEYS.get(tag));
    }

    /** Every known key, in dictionary order. */
    static Iterable<Key> all() {
        return KEYS.values();
    }

    /** The VR of a known attribute, else {@code UN} (what implicit VR data sets mean for unknown tags). */
    public static String vrOf(int tag) {
        Key k = KEYS.get(tag);
        if (k != null) {
            return k.vr();
        }
        return (tag & 0xFFFF) == 0 ? "UL" : "UN";
    }
}
