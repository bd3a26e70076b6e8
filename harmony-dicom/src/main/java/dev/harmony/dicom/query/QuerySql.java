package dev.harmony.dicom.query;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One C-FIND as SQL over the instance table (PS3.4 C.2.2.2 matching): single value, wildcard
 * ({@code *}, {@code ?}), range ({@code a-b}, {@code -b}, {@code a-} on DA, TM, DT), lists (values
 * separated by backslashes, e.g. UID lists: any one matches) and universal (empty: no condition).
 * Levels above IMAGE are grouped from the instance rows. Keys of levels below the query level are
 * ignored and not returned.
 *
 * @param text the statement
 * @param parameters its parameters, in order
 * @param selected the index of each selected key column (by tag) in the result, 1-based
 */
record QuerySql(String text, List<String> parameters, java.util.Map<Integer, Integer> selected) {
    private static final Set<String> RANGE_VRS = Set.of("DA", "TM", "DT");
    private static final int N_INSTANCES = -1;
    private static final int N_SERIES = -2;
    private static final int N_STUDIES = -3;
    private static final int MODALITIES = -4;

    /** The instances a C-MOVE or C-GET of {@code query} retrieves: every row its keys match, at any level. */
    static QuerySql instances(DicomQuery query, String table) {
        // PS3.4 C.4.2.1.4: a retrieve names what it wants by the level's unique key (one value or a UID list);
        // universal or wildcard matching there would send the whole archive (or all of a patient's studies).
        String key = query.identifier().string(query.level().uniqueKey()).orElse("").trim();
        if (key.isEmpty() || key.contains("*") || key.contains("?")) {
            throw new IllegalArgumentException("a " + query.level() + " level retrieve needs its unique key "
                    + dev.harmony.dicom.Tags.toString(query.level().uniqueKey()) + " (a value or a list), not '" + key + "'");
        }
        List<String> params = new ArrayList<>();
        List<String> conditions = conditions(query, table, params);
        String sql = "SELECT sop_class, sop_uid, transfer_syntax, source, path FROM " + table
                + (conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions))
                + " ORDER BY study_uid, series_uid, sop_uid";
        return new QuerySql(sql, List.copyOf(params), java.util.Map.of());
    }

    static QuerySql of(DicomQuery query, DicomIndex.Dialect dialect, String table) {
        QueryLevel level = query.level();
        List<String> params = new ArrayList<>();
        List<String> conditions = conditions(query, table, params);
        java.util.Map<Integer, Integer> selected = new java.util.LinkedHashMap<>();
        List<String> columns = new ArrayList<>();
        String group = switch (level) {
            case PATIENT -> "patient_id";
            case STUDY -> "study_uid";
            case SERIES -> "series_uid";
            case IMAGE -> null;
        };
        for (QueryKeys.Key k : DicomIndex.COLUMNS) {
            QueryLevel kl = k.level();
            if (kl != null && kl.ordinal() > level.ordinal()) {
                continue;
            }
            columns.add(group == null || k.column().equals(group) ? k.column() : "MAX(" + k.column() + ")");
            selected.put(k.tag(), columns.size());
        }
        return finish(query, dialect, table, params, conditions, selected, columns, group);
    }

    private static List<String> conditions(DicomQuery query, String table, List<String> params) {
        QueryLevel level = query.level();
        Dataset id = query.identifier();
        requireHigherUniqueKeys(query);
        List<String> conditions = new ArrayList<>();
        for (int tag : id.tags()) {
            var key = QueryKeys.key(tag);
            String value = id.string(tag).orElse("");
            if (key.isEmpty() || key.get().level() == null || value.isEmpty()
                    || key.get().level().ordinal() > level.ordinal()) {
                continue;
            }
            if (tag == QueryKeys.MODALITIES_IN_STUDY) {
                List<String> sub = new ArrayList<>();
                String cond = condition("modality", "CS", value, sub);
                if (cond != null) {
                    conditions.add("study_uid IN (SELECT study_uid FROM " + table + " WHERE " + cond + ")");
                    params.addAll(sub);
                }
                continue;
            }
            if (key.get().column() == null) {
                continue; // a count: return key only
            }
            String cond = condition(key.get().column(), key.get().vr(), value, params);
            if (cond != null) {
                conditions.add(cond);
            }
        }
        return conditions;
    }

    private static QuerySql finish(DicomQuery query, DicomIndex.Dialect dialect, String table, List<String> params,
            List<String> conditions, java.util.Map<Integer, Integer> selected, List<String> columns, String group) {
        QueryLevel level = query.level();
        if (level != QueryLevel.IMAGE) {
            columns.add("COUNT(*)");
            selected.put(N_INSTANCES, columns.size());
        }
        if (level == QueryLevel.PATIENT || level == QueryLevel.STUDY) {
            columns.add("COUNT(DISTINCT series_uid)");
            selected.put(N_SERIES, columns.size());
        }
        if (level == QueryLevel.PATIENT) {
            columns.add("COUNT(DISTINCT study_uid)");
            selected.put(N_STUDIES, columns.size());
        }
        if (level == QueryLevel.STUDY) {
            columns.add(dialect.modalities());
            selected.put(MODALITIES, columns.size());
        }
        StringBuilder sql = new StringBuilder("SELECT ").append(String.join(", ", columns)).append(" FROM ").append(table);
        if (!conditions.isEmpty()) {
            sql.append(" WHERE ").append(String.join(" AND ", conditions));
        }
        if (group != null) {
            sql.append(" GROUP BY ").append(group);
        }
        return new QuerySql(sql.toString(), List.copyOf(params), selected);
    }

    /** Hierarchical search (PS3.4 C.4.1.2.2.1): each level above the query level names one entity by its unique key. */
    private static void requireHigherUniqueKeys(DicomQuery query) {
        for (QueryLevel above : QueryLevel.values()) {
            if (above.ordinal() < query.model().top().ordinal() || above.ordinal() >= query.level().ordinal()) {
                continue;
            }
            String v = query.identifier().string(above.uniqueKey()).orElse("");
            if (v.isEmpty() || v.contains("*") || v.contains("?") || v.contains("\\")) {
                throw new IllegalArgumentException(above + " level unique key " + dev.harmony.dicom.Tags.toString(
                        above.uniqueKey()) + " must hold a single value for a " + query.level()
                        + " level query, not '" + v + "'");
            }
        }
    }

    /** The SQL condition for one key, or null for universal matching. */
    private static String condition(String column, String vr, String value, List<String> params) {
        List<String> alternatives = new ArrayList<>();
        for (String v : value.split("\\\\", -1)) {
            String one = single(column, vr, v.trim(), params);
            if (one == null) {
                return null; // one universal alternative matches everything
            }
            alternatives.add(one);
        }
        return alternatives.size() == 1 ? alternatives.get(0) : "(" + String.join(" OR ", alternatives) + ")";
    }

    private static String single(String column, String vr, String v, List<String> params) {
        if (v.isEmpty() || v.equals("*")) {
            return null;
        }
        if (RANGE_VRS.contains(vr) && v.contains("-")) {
            int dash = v.indexOf('-');
            String low = v.substring(0, dash).trim();
            String high = v.substring(dash + 1).trim();
            List<String> parts = new ArrayList<>();
            if (!low.isEmpty()) {
                parts.add(column + " >= ?");
                params.add(low);
            }
            if (!high.isEmpty()) {
                // "1200" includes 120059.99: every value that starts with the bound is inside it ('~' sorts after digits)
                parts.add(column + " < ?");
                params.add(high + "~");
            }
            if (parts.isEmpty()) {
                return null;
            }
            parts.add(column + " <> ''");
            return "(" + String.join(" AND ", parts) + ")";
        }
        if (!vr.equals("UI") && (v.indexOf('*') >= 0 || v.indexOf('?') >= 0)) {
            StringBuilder like = new StringBuilder();
            for (char ch : v.toCharArray()) {
                switch (ch) {
                    case '*' -> like.append('%');
                    case '?' -> like.append('_');
                    case '%', '_', '!' -> like.append('!').append(ch);
                    default -> like.append(ch);
                }
            }
            params.add(like.toString());
            return column + " LIKE ? ESCAPE '!'";
        }
        params.add(v);
        return column + " = ?";
    }

    /** The response identifier for the current row: the requested keys, with their values. */
    Dataset match(ResultSet rs, DicomQuery query, String retrieveAe) throws SQLException {
        Dataset id = query.identifier();
        Dataset out = new Dataset();
        QueryLevel level = query.level();
        Integer charsetColumn = selected.get(QueryKeys.SPECIFIC_CHARACTER_SET);
        String charset = charsetColumn == null ? "" : rs.getString(charsetColumn);
        if (charset != null && !charset.isEmpty()) {
            out.set(QueryKeys.SPECIFIC_CHARACTER_SET, "CS", charset);
        }
        out.set(QueryKeys.QUERY_RETRIEVE_LEVEL, "CS", level.name());
        Integer unique = selected.get(level.uniqueKey());
        out.set(level.uniqueKey(), rs.getString(unique));
        for (int tag : id.tags()) {
            if (tag == QueryKeys.SPECIFIC_CHARACTER_SET || tag == QueryKeys.QUERY_RETRIEVE_LEVEL
                    || tag == level.uniqueKey()) {
                continue;
            }
            var key = QueryKeys.key(tag);
            if (key.isEmpty()) {
                continue; // not supported: not returned (PS3.4 C.4.1.1.3.2)
            }
            QueryLevel kl = key.get().level();
            if (kl != null && kl.ordinal() > level.ordinal()) {
                continue;
            }
            String value = switch (tag) {
                case QueryKeys.RETRIEVE_AE_TITLE -> retrieveAe == null ? "" : retrieveAe;
                case QueryKeys.INSTANCE_AVAILABILITY -> "ONLINE";
                case QueryKeys.NUMBER_OF_PATIENT_RELATED_STUDIES -> level == QueryLevel.PATIENT ? count(rs, N_STUDIES) : null;
                case QueryKeys.NUMBER_OF_PATIENT_RELATED_SERIES -> level == QueryLevel.PATIENT ? count(rs, N_SERIES) : null;
                case QueryKeys.NUMBER_OF_PATIENT_RELATED_INSTANCES -> level == QueryLevel.PATIENT ? count(rs, N_INSTANCES) : null;
                case QueryKeys.NUMBER_OF_STUDY_RELATED_SERIES -> level == QueryLevel.STUDY ? count(rs, N_SERIES) : null;
                case QueryKeys.NUMBER_OF_STUDY_RELATED_INSTANCES -> level == QueryLevel.STUDY ? count(rs, N_INSTANCES) : null;
                case QueryKeys.NUMBER_OF_SERIES_RELATED_INSTANCES -> level == QueryLevel.SERIES ? count(rs, N_INSTANCES) : null;
                case QueryKeys.MODALITIES_IN_STUDY -> {
                    Integer col = selected.get(MODALITIES);
                    yield col == null ? null : nullToEmpty(rs.getString(col));
                }
                default -> {
                    Integer col = selected.get(tag);
                    yield col == null ? null : nullToEmpty(rs.getString(col));
                }
            };
            if (value != null) {
                out.set(tag, key.get().vr(), value);
            }
        }
        return out;
    }

    private String count(ResultSet rs, int which) throws SQLException {
        Integer col = selected.get(which);
        return col == null ? null : Long.toString(rs.getLong(col));
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
