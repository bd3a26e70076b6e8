package dev.harmony.dicom.query;

import java.util.Locale;
import java.util.Objects;

/**
 * A C-FIND request: the information model (from the SOP class), the level and the identifier whose
 * keys say what to match and what to return (PS3.4 C.4.1.1.3).
 *
 * @param model Patient Root or Study Root
 * @param level the Query/Retrieve Level of the identifier
 * @param identifier the keys as received
 */
public record DicomQuery(QueryModel model, QueryLevel level, Dataset identifier) {
    public DicomQuery {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(identifier, "identifier");
        if (!model.has(level)) {
            throw new IllegalArgumentException("level " + level + " does not exist in " + model);
        }
    }

    /**
     * The query an identifier asks for.
     *
     * @throws IllegalArgumentException naming the problem if the level is missing, unknown or not part of
     *     the model (the SCP answers A900, identifier does not match SOP class)
     */
    public static DicomQuery of(QueryModel model, Dataset identifier) {
        String level = identifier.string(QueryKeys.QUERY_RETRIEVE_LEVEL)
                .orElseThrow(() -> new IllegalArgumentException("the identifier has no Query/Retrieve Level (0008,0052)"))
                .trim().toUpperCase(Locale.ROOT);
        QueryLevel parsed;
        try {
            parsed = QueryLevel.valueOf(level);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown Query/Retrieve Level '" + level + "'");
        }
        if (!model.has(parsed)) {
            throw new IllegalArgumentException("level " + parsed + " does not exist in " + model);
        }
        return new DicomQuery(model, parsed, identifier);
    }

    /** A query at {@code level} with the given keys; the level element is added to a copy of {@code keys}. */
    public static DicomQuery of(QueryModel model, QueryLevel level, Dataset keys) {
        Dataset id = new Dataset();
        for (int tag : keys.tags()) {
            id.set(tag, keys.vr(tag), keys.string(tag).orElse(""));
        }
        id.set(QueryKeys.QUERY_RETRIEVE_LEVEL, "CS", level.name());
        return new DicomQuery(model, level, id);
    }
}
