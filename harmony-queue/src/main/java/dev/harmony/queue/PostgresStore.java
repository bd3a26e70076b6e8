package dev.harmony.queue;

import dev.harmony.jdbc.internal.ConnectionSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.postgresql.PGConnection;
import org.postgresql.largeobject.LargeObject;
import org.postgresql.largeobject.LargeObjectManager;

/**
 * The shared store: one row per message in a PostgreSQL table, the payload a large object (streamed in
 * chunks both ways; bytea would be read whole into memory). Times that decide who may work on what
 * (due, lease expiry) are the database's {@code now()}, so the nodes' clocks do not matter.
 *
 * <pre>
 *   id, destination, state, created_at, next_attempt_at, attempts, lease_owner, lease_expires_at,
 *   payload (oid), payload_bytes, meta (the request, JSON), progress (the history, JSON), updated_at
 * </pre>
 *
 * A claim selects the next due row ({@code PENDING} and due, or {@code IN_FLIGHT} with an expired lease)
 * {@code FOR UPDATE SKIP LOCKED}, so nodes never wait for each other, and copies the payload to a spool
 * file for the attempt. The outcome is written only while the lease is still ours.
 */
final class PostgresStore implements Store {
    private final ConnectionSource connections;
    private final String table;
    private final String destination;
    private final Path spoolSetting;
    private final boolean closeConnections;
    private Path spool;

    PostgresStore(ConnectionSource connections, String table, String destination, Path spool) {
        this(connections, table, destination, spool, false);
    }

    PostgresStore(ConnectionSource connections, String table, String destination, Path spool,
            boolean closeConnections) {
        this.connections = connections;
        this.table = table;
        this.destination = destination;
        this.spoolSetting = spool;
        this.closeConnections = closeConnections;
    }

    private <T> T tx(ConnectionSource.Work<T, Exception> work) throws Exception {
        return connections.inTransaction(work);
    }

    static List<String> destinations(ConnectionSource connections, String table) throws SQLException {
        Connection c = connections.get();
        try (Statement st = c.createStatement()) {
            List<String> out = new ArrayList<>();
            try (ResultSet exists = st.executeQuery("SELECT to_regclass('" + table + "') IS NOT NULL")) {
                exists.next();
                if (!exists.getBoolean(1)) {
                    return out;
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT DISTINCT destination FROM " + table + " ORDER BY 1")) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        } finally {
            connections.release(c, false);
        }
    }

    @Override
    public String destination() {
        return destination;
    }

    @Override
    public void open() throws Exception {
        spool = spoolSetting != null ? Files.createDirectories(spoolSetting)
                : Files.createTempDirectory("harmony-queue-" + destination + "-");
        tx(c -> {
            try (Statement st = c.createStatement()) {
                // Two nodes starting at once must not both try to create the table.
                st.execute("SELECT pg_advisory_xact_lock(hashtext('" + table + "'))");
                st.execute("CREATE TABLE IF NOT EXISTS " + table + " ("
                        + "id text PRIMARY KEY, destination text NOT NULL, state text NOT NULL, "
                        + "created_at timestamptz NOT NULL, next_attempt_at timestamptz NOT NULL, "
                        + "attempts integer NOT NULL, lease_owner text, lease_expires_at timestamptz, "
                        + "payload oid, payload_bytes bigint NOT NULL, meta text NOT NULL, progress text NOT NULL, "
                        + "updated_at timestamptz NOT NULL)");
                st.execute("CREATE INDEX IF NOT EXISTS " + table + "_due ON " + table
                        + " (destination, state, next_attempt_at)");
            }
            return null;
        });
    }

    @Override
    public void close() {
        if (spool != null && spoolSetting == null) {
            try (var files = Files.list(spool)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
                Files.deleteIfExists(spool);
            } catch (IOException ignored) {
                // a spool file still open elsewhere; the temp directory is the system's to clean
            }
        }
        if (closeConnections) {
            connections.close();
        }
    }

    @Override
    public void accept(StoredRequest request, InputStream body, long maxBytes) throws Exception {
        tx(c -> {
            LargeObjectManager lom = c.unwrap(PGConnection.class).getLargeObjectAPI();
            long oid = lom.createLO(LargeObjectManager.READWRITE);
            long total = 0;
            try (LargeObject lo = lom.open(oid, LargeObjectManager.WRITE)) {
                byte[] buf = new byte[64 * 1024];
                for (int n; (n = body.read(buf)) >= 0;) {
                    total += n;
                    if (total > maxBytes) {
                        throw new DurableFiles.TooBig(maxBytes);
                    }
                    lo.write(buf, 0, n);
                }
            }
            Progress p = Progress.accepted(request.createdAt());
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (id, destination, state, "
                    + "created_at, next_attempt_at, attempts, payload, payload_bytes, meta, progress, updated_at) "
                    + "VALUES (?, ?, 'PENDING', ?, now(), 0, ?, ?, ?, ?, now())")) {
                ps.setString(1, request.id());
                ps.setString(2, destination);
                ps.setTimestamp(3, Timestamp.from(request.createdAt()));
                ps.setLong(4, oid);
                ps.setLong(5, total);
                ps.setString(6, new String(request.toJson(), java.nio.charset.StandardCharsets.UTF_8));
                ps.setString(7, history(p));
                ps.executeUpdate();
            }
            return null; // commit: the row and its large object become durable and visible together
        });
    }

    private static String history(Progress p) {
        return Progress.historyJson(p.history()).toString();
    }

    private static List<MessageEvent> history(String json) throws IOException {
        return Progress.historyFrom(dev.harmony.message.Json.mapper().readTree(json));
    }

    @Override
    public Optional<Claim> claim(String owner, Duration lease, Instant now) throws Exception {
        return tx(c -> {
            String id;
            String state;
            String previousOwner;
            int attempts;
            long oid;
            long bytes;
            String meta;
            String historyJson;
            Instant due;
            try (PreparedStatement ps = c.prepareStatement("SELECT id, state, lease_owner, attempts, payload, "
                    + "payload_bytes, meta, progress, next_attempt_at FROM " + table + " WHERE destination = ? AND "
                    + "((state = 'PENDING' AND next_attempt_at <= now()) OR "
                    + "(state = 'IN_FLIGHT' AND lease_expires_at < now())) "
                    + "ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED")) {
                ps.setString(1, destination);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<Claim>empty();
                    }
                    id = rs.getString(1);
                    state = rs.getString(2);
                    previousOwner = rs.getString(3);
                    attempts = rs.getInt(4);
                    oid = rs.getLong(5);
                    bytes = rs.getLong(6);
                    meta = rs.getString(7);
                    historyJson = rs.getString(8);
                    due = rs.getTimestamp(9).toInstant();
                }
            }
            Progress p = new Progress(MessageState.valueOf(state), attempts, due, history(historyJson));
            if (p.state() == MessageState.IN_FLIGHT) {
                p = p.next(MessageState.PENDING, attempts, now, new MessageEvent(now, MessageEvent.Type.RECOVERED,
                        "the lease of " + previousOwner + " expired"));
            }
            p = p.next(MessageState.IN_FLIGHT, attempts + 1, due, new MessageEvent(now, MessageEvent.Type.ATTEMPT,
                    owner));
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET state = 'IN_FLIGHT', "
                    + "attempts = ?, lease_owner = ?, lease_expires_at = now() + ? * interval '1 millisecond', "
                    + "progress = ?, updated_at = now() WHERE id = ?")) {
                ps.setInt(1, p.attempts());
                ps.setString(2, owner);
                ps.setLong(3, lease.toMillis());
                ps.setString(4, history(p));
                ps.setString(5, id);
                ps.executeUpdate();
            }
            StoredRequest request = StoredRequest.fromJson(meta.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            Path file = Files.createTempFile(spool, id + "-", ".body");
            try (LargeObject lo = c.unwrap(PGConnection.class).getLargeObjectAPI().open(oid, LargeObjectManager.READ);
                    OutputStream out = Files.newOutputStream(file, StandardOpenOption.TRUNCATE_EXISTING)) {
                byte[] buf = new byte[64 * 1024];
                for (int n; (n = lo.read(buf, 0, buf.length)) > 0;) {
                    out.write(buf, 0, n);
                }
            } catch (Exception e) {
                Files.deleteIfExists(file);
                throw e;
            }
            return Optional.of(new Claim(request, file, true, p, bytes));
        });
    }

    @Override
    public Optional<Instant> nextDue() {
        return Optional.empty(); // other nodes add work too: poll
    }

    @Override
    public boolean finish(Claim claim, String owner, Progress next, Duration delay) throws Exception {
        return tx(c -> {
            long oid;
            try (PreparedStatement ps = c.prepareStatement("SELECT payload FROM " + table
                    + " WHERE id = ? AND lease_owner = ? AND state = 'IN_FLIGHT' FOR UPDATE")) {
                ps.setString(1, claim.id());
                ps.setString(2, owner);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return false;
                    }
                    oid = rs.getLong(1);
                }
            }
            boolean delivered = next.state() == MessageState.DELIVERED;
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET state = ?, attempts = ?, "
                    + "next_attempt_at = now() + ? * interval '1 millisecond', lease_owner = NULL, "
                    + "lease_expires_at = NULL, progress = ?, updated_at = now(), payload = "
                    + (delivered ? "NULL, payload_bytes = 0" : "payload") + " WHERE id = ?")) {
                ps.setString(1, next.state().name());
                ps.setInt(2, next.attempts());
                ps.setLong(3, delay.toMillis());
                ps.setString(4, history(next));
                ps.setString(5, claim.id());
                ps.executeUpdate();
            }
            if (delivered && oid != 0) {
                c.unwrap(PGConnection.class).getLargeObjectAPI().unlink(oid);
            }
            return true;
        });
    }

    @Override
    public boolean renew(Claim claim, String owner, Duration lease) throws Exception {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET lease_expires_at = now() + ? * "
                    + "interval '1 millisecond' WHERE id = ? AND lease_owner = ? AND state = 'IN_FLIGHT'")) {
                ps.setLong(1, lease.toMillis());
                ps.setString(2, claim.id());
                ps.setString(3, owner);
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public void releaseAll(String owner) throws Exception {
        tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET state = 'PENDING', "
                    + "lease_owner = NULL, lease_expires_at = NULL, next_attempt_at = now(), updated_at = now() "
                    + "WHERE destination = ? AND lease_owner = ? AND state = 'IN_FLIGHT'")) {
                ps.setString(1, destination);
                ps.setString(2, owner);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public Usage usage() throws Exception {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*), coalesce(sum(payload_bytes), 0) FROM "
                    + table + " WHERE destination = ? AND state <> 'DELIVERED'")) {
                ps.setString(1, destination);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new Usage(rs.getLong(1), rs.getLong(2));
                }
            }
        });
    }

    @Override
    public DestinationStatus status(Instant now) throws Exception {
        return tx(c -> {
            long[] counts = new long[MessageState.values().length];
            long bytes = 0;
            long oldestMillis = 0;
            try (PreparedStatement ps = c.prepareStatement("SELECT state, count(*), coalesce(sum(payload_bytes), 0), "
                    + "coalesce(extract(epoch FROM now() - min(created_at)) * 1000, 0) FROM " + table
                    + " WHERE destination = ? GROUP BY state")) {
                ps.setString(1, destination);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        MessageState st = MessageState.valueOf(rs.getString(1));
                        counts[st.ordinal()] = rs.getLong(2);
                        if (st != MessageState.DELIVERED) {
                            bytes += rs.getLong(3);
                        }
                        if (st == MessageState.PENDING || st == MessageState.IN_FLIGHT) {
                            oldestMillis = Math.max(oldestMillis, (long) rs.getDouble(4));
                        }
                    }
                }
            }
            return new DestinationStatus(destination, counts[0], counts[1], counts[2], counts[3],
                    Duration.ofMillis(oldestMillis), bytes);
        });
    }

    @Override
    public List<MessageInfo> list(MessageState state, int limit) throws Exception {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement(select() + " WHERE destination = ? AND state = ? "
                    + "ORDER BY created_at, id LIMIT ?")) {
                ps.setString(1, destination);
                ps.setString(2, state.name());
                ps.setInt(3, limit);
                return infos(ps);
            }
        });
    }

    @Override
    public Optional<MessageInfo> get(String id) throws Exception {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement(select() + " WHERE destination = ? AND id = ?")) {
                ps.setString(1, destination);
                ps.setString(2, id);
                return infos(ps).stream().findFirst();
            }
        });
    }

    private String select() {
        return "SELECT id, state, created_at, attempts, next_attempt_at, payload_bytes, meta, progress FROM " + table;
    }

    private List<MessageInfo> infos(PreparedStatement ps) throws SQLException, IOException {
        List<MessageInfo> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                StoredRequest meta = StoredRequest.fromJson(rs.getString(7).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                out.add(new MessageInfo(rs.getString(1), destination, MessageState.valueOf(rs.getString(2)),
                        rs.getTimestamp(3).toInstant(), rs.getInt(4), rs.getTimestamp(5).toInstant(), rs.getLong(6),
                        meta.summary(), history(rs.getString(8))));
            }
        }
        return out;
    }

    @Override
    public boolean replay(String id, Instant now) throws Exception {
        return tx(c -> {
            String historyJson;
            try (PreparedStatement ps = c.prepareStatement("SELECT progress FROM " + table
                    + " WHERE id = ? AND destination = ? AND state = 'DEAD' FOR UPDATE")) {
                ps.setString(1, id);
                ps.setString(2, destination);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return false;
                    }
                    historyJson = rs.getString(1);
                }
            }
            Progress p = new Progress(MessageState.DEAD, 0, now, history(historyJson))
                    .next(MessageState.PENDING, 0, now, new MessageEvent(now, MessageEvent.Type.REPLAYED, ""));
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET state = 'PENDING', attempts = 0, "
                    + "next_attempt_at = now(), progress = ?, updated_at = now() WHERE id = ?")) {
                ps.setString(1, history(p));
                ps.setString(2, id);
                ps.executeUpdate();
            }
            return true;
        });
    }

    @Override
    public int purge(MessageState state, Instant before) throws Exception {
        if (state != MessageState.DELIVERED && state != MessageState.DEAD) {
            throw new IllegalArgumentException("only delivered or dead messages can be purged, not " + state);
        }
        return tx(c -> {
            int n = 0;
            LargeObjectManager lom = c.unwrap(PGConnection.class).getLargeObjectAPI();
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE destination = ? AND "
                    + "state = ? AND updated_at < ? RETURNING payload")) {
                ps.setString(1, destination);
                ps.setString(2, state.name());
                ps.setTimestamp(3, Timestamp.from(before));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        n++;
                        long oid = rs.getLong(1);
                        if (!rs.wasNull() && oid != 0) {
                            lom.unlink(oid);
                        }
                    }
                }
            }
            return n;
        });
    }

    @Override
    public List<String> ids(MessageState state, int limit) throws Exception {
        return tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM " + table + " WHERE destination = ? AND "
                    + "state = ? ORDER BY created_at, id LIMIT ?")) {
                ps.setString(1, destination);
                ps.setString(2, state.name());
                ps.setInt(3, limit);
                List<String> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public String toString() {
        return "PostgreSQL " + table;
    }
}
