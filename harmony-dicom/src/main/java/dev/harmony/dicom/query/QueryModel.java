package dev.harmony.dicom.query;

import java.util.Arrays;
import java.util.Optional;

/**
 * The information models of the query/retrieve service class (PS3.4 C.6): which levels exist and
 * which is the top. Each model has a FIND, a MOVE and a GET SOP class.
 */
public enum QueryModel {
    /** Patient Root: PATIENT, STUDY, SERIES, IMAGE. */
    PATIENT_ROOT(QueryLevel.PATIENT, "1.2.840.10008.5.1.4.1.2.1.1", "1.2.840.10008.5.1.4.1.2.1.2",
            "1.2.840.10008.5.1.4.1.2.1.3"),
    /** Study Root: STUDY, SERIES, IMAGE (patient attributes are study attributes here). */
    STUDY_ROOT(QueryLevel.STUDY, "1.2.840.10008.5.1.4.1.2.2.1", "1.2.840.10008.5.1.4.1.2.2.2",
            "1.2.840.10008.5.1.4.1.2.2.3");

    private final QueryLevel top;
    private final String find;
    private final String move;
    private final String get;

    QueryModel(QueryLevel top, String find, String move, String get) {
        this.top = top;
        this.find = find;
        this.move = move;
        this.get = get;
    }

    /** The highest level of the model. */
    public QueryLevel top() {
        return top;
    }

    /** The C-FIND SOP class UID. */
    public String findSopClass() {
        return find;
    }

    /** The C-MOVE SOP class UID. */
    public String moveSopClass() {
        return move;
    }

    /** The C-GET SOP class UID. */
    public String getSopClass() {
        return get;
    }

    /** Whether {@code level} exists in this model. */
    public boolean has(QueryLevel level) {
        return level.ordinal() >= top.ordinal();
    }

    /** The model whose MOVE SOP class is {@code uid}. */
    public static Optional<QueryModel> ofMove(String uid) {
        return Arrays.stream(values()).filter(m -> m.move.equals(uid)).findFirst();
    }

    /** The model whose GET SOP class is {@code uid}. */
    public static Optional<QueryModel> ofGet(String uid) {
        return Arrays.stream(values()).filter(m -> m.get.equals(uid)).findFirst();
    }

    /** The model whose FIND SOP class is {@code uid}. */
    public static Optional<QueryModel> ofFind(String uid) {
        return Arrays.stream(values()).filter(m -> m.find.equals(uid)).findFirst();
    }
}
