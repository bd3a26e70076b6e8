package dev.harmony.jdbc.internal;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedDeque;
import javax.sql.DataSource;

/**
 * Where the queue's PostgreSQL store and the DICOM index get their JDBC connections: the application's
 * {@link DataSource} (its pool does the pooling and validation), or for a bare JDBC URL a small pool
 * of our own. Internal: not part of Harmony's API.
 *
 * <p>Use: {@code get()}, work, then {@code release(c, broken)} exactly once; {@code broken} (the work
 * failed with an {@link SQLException}) closes the connection instead of keeping it. An idle connection
 * is validated ({@link Connection#isValid}) before it is handed out again once it has been idle longer
 * than the validation window, so a server restart or a killed backend costs no failed operation.
 */
public abstract class ConnectionSource implements AutoCloseable {
    /** Idle connections kept per URL pool; more are closed on release. */
    static final int MAX_IDLE = 16;
    /** Default: a connection idle this long is checked before reuse (one round trip); busy ones are not. */
    public static final Duration VALIDATE_AFTER_IDLE = Duration.ofMillis(500);
    private static final int VALIDATION_TIMEOUT_SECONDS = 5;

    private ConnectionSource() {
    }

    /** A connection to work with; give it back with {@link #release}. */
    public abstract Connection get() throws SQLException;

    /** Gives a connection back; {@code broken} ones are closed, never reused. */
    public abstract void release(Connection c, boolean broken);

    /** Work inside one transaction. */
    @FunctionalInterface
    public interface Work<T, E extends Exception> {
        T run(Connection c) throws E, SQLException;
    }

    /**
     * Runs {@code work} in one transaction on one connection: commit on success, rollback on failure. The
     * connection is released as broken (closed) when the work failed with an SQLException or the
     * rollback failed, so a dead connection is never handed out again.
     */
    public final <T, E extends Exception> T inTransaction(Work<T, E> work) throws E, SQLException {
        Connection c = get();
        boolean broken = false;
        try {
            c.setAutoCommit(false);
            T result = work.run(c);
            c.commit();
            return result;
        } catch (Exception e) {
            try {
                c.rollback();
            } catch (SQLException rollbackFailed) {
                broken = true;
            }
            broken |= e instanceof SQLException;
            throw e;
        } finally {
            release(c, broken);
        }
    }

    /** Closes the idle connections of our own pool; the application's DataSource is left to the application. */
    @Override
    public abstract void close();

    /** The application's pool: every connection is closed (returned to it) on release. */
    public static ConnectionSource of(DataSource dataSource) {
        Objects.requireNonNull(dataSource, "dataSource");
        return new ConnectionSource() {
            @Override
            public Connection get() throws SQLException {
                return dataSource.getConnection();
            }

            @Override
            public void release(Connection c, boolean broken) {
                closeQuietly(c);
            }

            @Override
            public void close() {
            }
        };
    }

    /** A pool of our own for {@code jdbcUrl} (the caller checks which databases it accepts). */
    public static ConnectionSource url(String jdbcUrl) {
        return url(jdbcUrl, VALIDATE_AFTER_IDLE);
    }

    /** {@link #url(String)} for a {@code jdbc:postgresql:} URL; anything else is refused, naming {@code caller}. */
    public static ConnectionSource postgres(String jdbcUrl, String caller) {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException(caller + ": expected a jdbc:postgresql: URL");
        }
        return url(jdbcUrl);
    }

    /** As {@link #url(String)}, validating connections idle longer than {@code validateAfterIdle} (zero: always). */
    public static ConnectionSource url(String jdbcUrl, Duration validateAfterIdle) {
        return new Pool(Objects.requireNonNull(jdbcUrl, "jdbcUrl"), validateAfterIdle.toNanos());
    }

    private static final class Pool extends ConnectionSource {
        private record Idle(Connection connection, long since) {
        }

        private final String url;
        private final long validateAfterNanos;
        private final ConcurrentLinkedDeque<Idle> idle = new ConcurrentLinkedDeque<>();
        private volatile boolean closed;

        Pool(String url, long validateAfterNanos) {
            this.url = url;
            this.validateAfterNanos = validateAfterNanos;
        }

        @Override
        public Connection get() throws SQLException {
            if (closed) {
                throw new SQLException("connection source closed");
            }
            for (Idle i = idle.pollFirst(); i != null; i = idle.pollFirst()) {
                if (usable(i)) {
                    return i.connection();
                }
                closeQuietly(i.connection());
            }
            return DriverManager.getConnection(url);
        }

        private boolean usable(Idle i) {
            try {
                if (i.connection().isClosed()) {
                    return false;
                }
                return System.nanoTime() - i.since() < validateAfterNanos
                        || i.connection().isValid(VALIDATION_TIMEOUT_SECONDS);
            } catch (SQLException e) {
                return false;
            }
        }

        @Override
        public void release(Connection c, boolean broken) {
            if (broken || closed || idle.size() >= MAX_IDLE) {
                closeQuietly(c);
                return;
            }
            idle.addFirst(new Idle(c, System.nanoTime()));
            if (closed) { // close() ran meanwhile: do not leave this one behind
                drain();
            }
        }

        @Override
        public void close() {
            closed = true;
            drain();
        }

        private void drain() {
            for (Idle i = idle.pollFirst(); i != null; i = idle.pollFirst()) {
                closeQuietly(i.connection());
            }
        }
    }

    /** Closes {@code c}, ignoring failure: a broken connection has nothing left to close. */
    public static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // nothing left to do
        }
    }
}
