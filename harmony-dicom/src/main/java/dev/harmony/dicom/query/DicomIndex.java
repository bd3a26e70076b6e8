package dev.harmony.dicom.query;

import dev.harmony.dicom.TransferSyntax;
import dev.harmony.dicom.internal.codec.DatasetPrefix;
import dev.harmony.dicom.internal.file.FileMeta;
import dev.harmony.jdbc.internal.ConnectionSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An index of stored instances that answers C-FIND at every level of Patient Root and Study Root, in
 * a real database: embedded H2 files by default ({@link #embedded(Path)}), or PostgreSQL
 * ({@link #postgres(String)}) so several nodes answer for everything any of them stored.
 *
 * <pre>{@code
 * DicomIndex index = DicomIndex.embedded(Path.of("/data/dicom/.index"));
 * DicomFileStore store = DicomFileStore.under(Path.of("/data/dicom")).index(index).build();
 * }</pre>
 *
 * <p>One row per instance holds the patient, study, series and image attributes of {@link QueryKeys};
 * higher levels are grouped from it, so the counts (Number of Study Related Instances...) and
 * Modalities in Study always agree with the instances. A row is written in one transaction after
 * the file is in place, so a query never sees a half-indexed object nor one whose file is missing.
 * {@link #reindex(Path)} rebuilds the rows of one store root from its files, in one transaction.
 */
public final class DicomIndex implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DicomIndex.class);
    private static final String TABLE = "harmony_dicom_instance";
    /** The last tag the index reads from a data set: every key lives in groups 0008-0020. */
    public static final int LAST_TAG = 0x0020_FFFF;

    enum Dialect {
        H2("VARCHAR(1024)"), POSTGRES("TEXT COLLATE \"C\"");

        final String text;

        Dialect(String text) {
            this.text = text;
        }

        String modalities() {
            return this == H2
                    ? "LISTAGG(DISTINCT NULLIF(modality, ''), '\\') WITHIN GROUP (ORDER BY NULLIF(modality, ''))"
                    : "STRING_AGG(DISTINCT NULLIF(modality, ''), '\\' ORDER BY NULLIF(modality, ''))";
        }
    }

    /** The indexed columns in {@link QueryKeys} order, then our own. */
    static final List<QueryKeys.Key> COLUMNS = new ArrayList<>();
    /** The tags read from data sets to fill a row. */
    public static final Set<Integer> INDEXED_TAGS;

    static {
        Set<Integer> tags = new HashSet<>();
        for (QueryKeys.Key k : QueryKeys.all()) {
            if (k.column() != null) {
                COLUMNS.add(k);
                tags.add(k.tag());
            }
        }
        INDEXED_TAGS = Set.copyOf(tags);
    }

    private final Dialect dialect;
    private final String description;
    private final ConnectionSource connections;

    private DicomIndex(Dialect dialect, String description, ConnectionSource connections) {
        this.dialect = dialect;
        this.description = description;
        this.connections = connections;
    }

    /** An embedded H2 database in {@code directory} (created if missing), e.g. {@code DIR/.index} of a store. */
    public static DicomIndex embedded(Path directory) throws IOException {
        Files.createDirectories(directory);
        String url = "jdbc:h2:file:" + directory.toAbsolutePath().resolve("index") + ";DB_CLOSE_ON_EXIT=FALSE";
        return open(Dialect.H2, "H2 " + directory, ConnectionSource.url(url));
    }

    /** A PostgreSQL database by JDBC URL ({@code jdbc:postgresql://host:port/db?user=...}). */
    public static DicomIndex postgres(String jdbcUrl) throws IOException {
        return open(Dialect.POSTGRES, "PostgreSQL", ConnectionSource.postgres(jdbcUrl, "DicomIndex.postgres"));
    }

    /** A PostgreSQL database through the application's pool. */
    public static DicomIndex postgres(DataSource dataSource) throws IOException {
        Objects.requireNonNull(dataSource, "DicomIndex.postgres: dataSource");
        return open(Dialect.POSTGRES, "PostgreSQL", ConnectionSource.of(dataSource));
    }

    private static DicomIndex open(Dialect dialect, String description, ConnectionSource connections) throws IOException {
        DicomIndex index = new DicomIndex(dialect, description, connections);
        try {
            index.createSchema();
        } catch (SQLException e) {
            connections.close();
            throw new IOException("DicomIndex (" + description + "): cannot create the schema: " + e.getMessage(), e);
        }
        return index;
    }

    private void createSchema() throws SQLException {
        StringBuilder ddl = new StringBuilder("CREATE TABLE IF NOT EXISTS " + TABLE + " (");
        for (QueryKeys.Key k : COLUMNS) {
            ddl.append(k.column()).append(' ').append(dialect.text).append(" NOT NULL DEFAULT '', ");
        }
        ddl.append("source ").append(dialect.text).append(" NOT NULL, path ").append(dialect.text)
                .append(" NOT NULL, transfer_syntax ").append(dialect.text).append(" NOT NULL, PRIMARY KEY (sop_uid))");
        tx(c -> {
            try (Statement s = c.createStatement()) {
                s.execute(ddl.toString());
                for (String col : List.of("study_uid", "series_uid", "patient_id", "study_date", "accession",
                        "patient_name", "source")) {
                    s.execute("CREATE INDEX IF NOT EXISTS " + TABLE + "_" + col + " ON " + TABLE + " (" + col + ")");
                }
            }
            return null;
        });
    }

    /** What the index is stored in, for descriptions and logs. */
    public String description() {
        return description;
    }

    /**
     * Adds or replaces the row of one instance.
     *
     * @param attributes at least SOP Instance, Study Instance and Series Instance UID (see {@link QueryKeys})
     * @param source the store root the file lives under (absolute)
     * @param path the file, relative to {@code source}
     * @param transferSyntax the transfer syntax UID the file is encoded in
     */
    public void add(Dataset attributes, Path source, String path, String transferSyntax) throws IOException {
        try {
            tx(c -> {
                try (PreparedStatement ps = c.prepareStatement(upsertSql())) {
                    bindRow(ps, attributes, source, path, transferSyntax);
                    ps.executeUpdate();
                }
                return null;
            });
        } catch (SQLException e) {
            throw new IOException("DicomIndex: cannot index " + path + ": " + e.getMessage(), e);
        }
    }

    private String upsertSql() {
        List<String> cols = new ArrayList<>();
        COLUMNS.forEach(k -> cols.add(k.column()));
        cols.addAll(List.of("source", "path", "transfer_syntax"));
        String marks = String.join(", ", java.util.Collections.nCopies(cols.size(), "?"));
        if (dialect == Dialect.H2) {
            return "MERGE INTO " + TABLE + " (" + String.join(", ", cols) + ") KEY (sop_uid) VALUES (" + marks + ")";
        }
        StringBuilder set = new StringBuilder();
        for (String col : cols) {
            if (!col.equals("sop_uid")) {
                set.append(set.length() == 0 ? "" : ", ").append(col).append(" = EXCLUDED.").append(col);
            }
        }
        return "INSERT INTO " + TABLE + " (" + String.join(", ", cols) + ") VALUES (" + marks
                + ") ON CONFLICT (sop_uid) DO UPDATE SET " + set;
    }

    private static void bindRow(PreparedStatement ps, Dataset attributes, Path source, String path, String ts)
            throws SQLException {
        int i = 1;
        for (QueryKeys.Key k : COLUMNS) {
            ps.setString(i++, attributes.string(k.tag()).orElse(""));
        }
        ps.setString(i++, source.toString());
        ps.setString(i++, path);
        ps.setString(i, ts);
    }

    /** The row an index keeps for a data set's elements as read by {@link DatasetPrefix} with {@link #INDEXED_TAGS}. */
    public static Dataset rowOf(Map<Integer, byte[]> values) {
        Dataset row = new Dataset();
        values.forEach((tag, raw) -> {
            int end = raw.length;
            while (end > 0 && (raw[end - 1] == 0 || raw[end - 1] == ' ')) {
                end--;
            }
            int start = 0;
            while (start < end && raw[start] == ' ') {
                start++;
            }
            row.set(tag, new String(raw, start, end - start, StandardCharsets.ISO_8859_1));
        });
        return row;
    }

    /** Answers a query; the caller closes the results. */
    public QueryResults find(DicomQuery query) throws IOException {
        return find(query, null);
    }

    /**
     * Answers a query; {@code retrieveAe}, if given, is returned as Retrieve AE Title (0008,0054) when asked.
     *
     * @throws IllegalArgumentException if the identifier breaks the hierarchical rules (A900)
     */
    public QueryResults find(DicomQuery query, String retrieveAe) throws IOException {
        QuerySql sql = QuerySql.of(query, dialect, TABLE);
        Connection c;
        try {
            c = connections.get();
        } catch (SQLException e) {
            throw new IOException("DicomIndex: no connection: " + e.getMessage(), e);
        }
        try {
            c.setAutoCommit(false); // PostgreSQL streams with a cursor only inside a transaction
            PreparedStatement ps = c.prepareStatement(sql.text());
            ps.setFetchSize(256);
            for (int i = 0; i < sql.parameters().size(); i++) {
                ps.setString(i + 1, sql.parameters().get(i));
            }
            ResultSet rs = ps.executeQuery();
            return new Rows(c, ps, rs, sql, query, retrieveAe);
        } catch (SQLException e) {
            release(c, true);
            throw new IOException("DicomIndex: query failed: " + e.getMessage(), e);
        }
    }

    /**
     * The stored instances a C-MOVE or C-GET of {@code query} retrieves (every instance its keys match,
     * at and above its level), in study, series, instance order.
     *
     * @throws IllegalArgumentException if the identifier breaks the hierarchical rules (A900)
     */
    public List<StoredInstance> instances(DicomQuery query) throws IOException {
        QuerySql sql = QuerySql.instances(query, TABLE);
        try {
            return tx(c -> {
                try (PreparedStatement ps = c.prepareStatement(sql.text())) {
                    for (int i = 0; i < sql.parameters().size(); i++) {
                        ps.setString(i + 1, sql.parameters().get(i));
                    }
                    List<StoredInstance> out = new ArrayList<>();
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            out.add(new StoredInstance(rs.getString(1), rs.getString(2), rs.getString(3),
                                    Path.of(rs.getString(4)).resolve(rs.getString(5))));
                        }
                    }
                    return out;
                }
            });
        } catch (SQLException e) {
            throw new IOException("DicomIndex: query failed: " + e.getMessage(), e);
        }
    }

    private final class Rows implements QueryResults {
        private final Connection c;
        private final PreparedStatement ps;
        private final ResultSet rs;
        private final QuerySql sql;
        private final DicomQuery query;
        private final String retrieveAe;
        private boolean closed;

        Rows(Connection c, PreparedStatement ps, ResultSet rs, QuerySql sql, DicomQuery query, String retrieveAe) {
            this.c = c;
            this.ps = ps;
            this.rs = rs;
            this.sql = sql;
            this.query = query;
            this.retrieveAe = retrieveAe;
        }

        @Override
        public Dataset next() throws IOException {
            try {
                return !closed && rs.next() ? sql.match(rs, query, retrieveAe) : null;
            } catch (SQLException e) {
                throw new IOException("DicomIndex: reading matches failed: " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            boolean broken = false;
            try {
                rs.close();
                ps.close();
                c.commit();
            } catch (SQLException e) {
                broken = true;
            }
            release(c, broken);
        }
    }

    /**
     * Rebuilds the rows of store root {@code root} from the Part-10 files under it (hidden files and
     * directories, such as temporary files and the index itself, are skipped), in one transaction:
     * queries see the old rows until the new ones are complete. Unreadable files are logged and skipped.
     *
     * @return the number of instances indexed
     */
    public int reindex(Path root) throws IOException {
        Path base = root.toAbsolutePath().normalize();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(base)) {
            files = walk.filter(p -> !hidden(base, p) && Files.isRegularFile(p)).sorted().toList();
        }
        try {
            return tx(c -> {
                try (PreparedStatement del = c.prepareStatement("DELETE FROM " + TABLE + " WHERE source = ?")) {
                    del.setString(1, base.toString());
                    del.executeUpdate();
                }
                int count = 0;
                try (PreparedStatement ps = c.prepareStatement(upsertSql())) {
                    for (Path file : files) {
                        Dataset row;
                        String ts;
                        try (InputStream in = Files.newInputStream(file)) {
                            FileMeta.Opened opened = FileMeta.read(in);
                            ts = opened.meta().transferSyntaxUid();
                            TransferSyntax syntax = TransferSyntax.of(ts)
                                    .orElseGet(() -> TransferSyntax.encapsulated(opened.meta().transferSyntaxUid(), "?"));
                            row = rowOf(DatasetPrefix.read(opened.dataset(), syntax, 16 * 1024 * 1024, LAST_TAG,
                                    INDEXED_TAGS).values());
                            if (!row.contains(QueryKeys.SOP_INSTANCE_UID)) {
                                row.set(QueryKeys.SOP_INSTANCE_UID, opened.meta().sopInstanceUid());
                            }
                            if (!row.contains(QueryKeys.SOP_CLASS_UID)) {
                                row.set(QueryKeys.SOP_CLASS_UID, opened.meta().sopClassUid());
                            }
                        } catch (IOException | RuntimeException e) {
                            LOG.warn("reindex {}: skipping {}: {}", base, base.relativize(file), e.getMessage());
                            continue;
                        }
                        bindRow(ps, row, base, base.relativize(file).toString(), ts);
                        ps.addBatch();
                        if (++count % 500 == 0) {
                            ps.executeBatch();
                        }
                    }
                    ps.executeBatch();
                }
                return count;
            });
        } catch (SQLException e) {
            throw new IOException("DicomIndex: reindex of " + base + " failed: " + e.getMessage(), e);
        }
    }

    private static boolean hidden(Path base, Path p) {
        for (Path part : base.relativize(p)) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    /** How many instances the index holds. */
    public long size() throws IOException {
        try {
            return tx(c -> {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + TABLE)) {
                    rs.next();
                    return rs.getLong(1);
                }
            });
        } catch (SQLException e) {
            throw new IOException("DicomIndex: " + e.getMessage(), e);
        }
    }

    /** Closes idle connections; an embedded database is closed with its last connection. */
    @Override
    public void close() {
        connections.close();
    }

    private <T> T tx(ConnectionSource.Work<T, SQLException> work) throws SQLException {
        return connections.inTransaction(work);
    }

    private void release(Connection c, boolean broken) {
        connections.release(c, broken);
    }

    @Override
    public String toString() {
        return "DicomIndex(" + description + ")";
    }

}
