package dev.harmony.queue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.ConcurrentLinkedDeque;
import javax.sql.DataSource;

/**
 * Connections for the PostgreSQL store: the application's {@link DataSource} (its pool), or for a bare
 * JDBC URL a small pool of our own that keeps a few idle connections.
 */
abstract class ConnectionSource implements AutoCloseable {

    abstract Connection get() throws SQLException;

    /** Gives a connection back; {@code broken} ones are closed. */
    abstract void release(Connection c, boolean broken);

    @Override
    public abstract void close();

    static ConnectionSource of(DataSource ds) {
        return new ConnectionSource() {
            @Override
            Connection get() throws SQLException {
                return ds.getConnection();
            }

            @Override
            void release(Connection c, boolean broken) {
                closeQuietly(c);
            }

            @Override
            public void close() {
            }
        };
    }

    static ConnectionSource url(String jdbcUrl) {
        if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("DeliveryQueue.postgres: expected a jdbc:postgresql: URL");
        }
        return new Pool(jdbcUrl);
    }

    private static final class Pool extends ConnectionSource {
        private static final int MAX_IDLE = 8;
        private final String url;
        private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();

        Pool(String url) {
            this.url = url;
        }

        @Override
        Connection get() throws SQLException {
            for (Connection c = idle.pollFirst(); c != null; c = idle.pollFirst()) {
                if (!c.isClosed()) {
                    return c;
                }
            }
            return DriverManager.getConnection(url);
        }

        @Override
        void release(Connection c, boolean broken) {
            if (broken || idle.size() >= MAX_IDLE) {
                closeQuietly(c);
            } else {
                idle.addFirst(c);
            }
        }

        @Override
        public void close() {
            for (Connection c = idle.pollFirst(); c != null; c = idle.pollFirst()) {
                closeQuietly(c);
            }
        }
    }

    static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // closing a broken connection: nothing left to do
        }
    }
}
