package dev.harmony.dicom.query;

/** The Query/Retrieve Level (0008,0052) of a query: the entity the matches describe (PS3.4 C.3). */
public enum QueryLevel {
    PATIENT(QueryKeys.PATIENT_ID),
    STUDY(QueryKeys.STUDY_INSTANCE_UID),
    SERIES(QueryKeys.SERIES_INSTANCE_UID),
    IMAGE(QueryKeys.SOP_INSTANCE_UID);

    private final int uniqueKey;

    QueryLevel(int uniqueKey) {
        this.uniqueKey = uniqueKey;
    }

    /** The tag of the level's unique key (Patient ID, Study/Series/SOP Instance UID). */
    public int uniqueKey() {
        return uniqueKey;
    }
}
