package dev.harmony.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.harmony.jdbc.internal.ConnectionSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** The one connection source of the queue and the DICOM index, against a real PostgreSQL server of its own. */
class ConnectionSourceTest {
    private static PgServer pg;

    @BeforeAll
    static void startServer() throws Exception {
        pg = PgServer.start();
        try (Connection c = DriverManager.getConnection(pg.url()); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t (v TEXT)");
        }
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    private static int backendPid(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Kills the server process behind a connection, as a server restart or an idle timeout would. */
    private static void terminate(int pid) throws SQLException {
        try (Connection admin = DriverManager.getConnection(pg.url()); Statement st = admin.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_terminate_backend(" + pid + ")")) {
            rs.next();
            assertThat(rs.getBoolean(1)).as("backend %d terminated", pid).isTrue();
        }
    }

    @Test
    void aReleasedConnectionIsReusedAndCloseClosesTheIdleOnes() throws Exception {
        ConnectionSource source = ConnectionSource.url(pg.url());
        Connection first = source.get();
        source.release(first, false);
        Connection again = source.get();
        assertThat(again).isSameAs(first);
        source.release(again, false);

        source.close();
        assertThat(first.isClosed()).isTrue();
        assertThatThrownBy(source::get).isInstanceOf(SQLException.class).hasMessageContaining("closed");
    }

    @Test
    void aBrokenConnectionIsClosedNotReused() throws Exception {
        try (ConnectionSource source = ConnectionSource.url(pg.url())) {
            Connection c = source.get();
            source.release(c, true);
            assertThat(c.isClosed()).isTrue();
            Connection next = source.get();
            assertThat(next).isNotSameAs(c);
            source.release(next, false);
        }
    }

    @Test
    void anIdleConnectionWhoseBackendDiedIsReplacedByValidation() throws Exception {
        try (ConnectionSource source = ConnectionSource.url(pg.url(), Duration.ZERO)) {
            Connection c = source.get();
            int pid = backendPid(c);
            source.release(c, false);
            terminate(pid);

            int answered = source.inTransaction(x -> backendPid(x));
            assertThat(answered).isNotEqualTo(pid);
            assertThat(c.isClosed()).as("the dead connection was closed").isTrue();
        }
    }

    @Test
    void withoutValidationTheDeadConnectionFailsOnceAndIsThenDropped() throws Exception {
        // the counter-check: inside the validation window the pool trusts an idle connection, so the
        // first transaction fails; it is released as broken and the next one gets a new connection
        try (ConnectionSource source = ConnectionSource.url(pg.url(), Duration.ofHours(1))) {
            Connection c = source.get();
            int pid = backendPid(c);
            source.release(c, false);
            terminate(pid);

            assertThatThrownBy(() -> source.inTransaction(x -> backendPid(x))).isInstanceOf(SQLException.class);
            assertThat(c.isClosed()).isTrue();
            int second = source.inTransaction(x -> backendPid(x));
            assertThat(second).isNotEqualTo(pid);
        }
    }

    @Test
    void inTransactionCommitsOrRollsBackAndKeepsAHealthyConnection() throws Exception {
        try (ConnectionSource source = ConnectionSource.url(pg.url())) {
            source.inTransaction(c -> c.createStatement().executeUpdate("INSERT INTO t VALUES ('kept')"));
            assertThatThrownBy(() -> source.inTransaction(c -> {
                c.createStatement().executeUpdate("INSERT INTO t VALUES ('rolled back')");
                throw new IllegalStateException("work failed");
            })).isInstanceOf(IllegalStateException.class).hasMessage("work failed");

            Connection c = source.get();
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT string_agg(v, ',') FROM t WHERE v IN ('kept', 'rolled back')")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("kept");
            }
            source.release(c, false);
        }
    }

    @Test
    void theApplicationsDataSourceGetsEveryConnectionBack() throws Exception {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(pg.url());
        ConnectionSource source = ConnectionSource.of(ds);
        Connection c = source.get();
        source.release(c, false);
        assertThat(c.isClosed()).as("returned to the application's pool").isTrue();
        int pid = source.inTransaction(x -> backendPid(x));
        assertThat(pid).isPositive();
        source.close();
    }

    @Test
    void postgresRefusesOtherUrlsNamingTheCaller() {
        assertThatThrownBy(() -> ConnectionSource.postgres("jdbc:h2:mem:x", "DeliveryQueue.postgres"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("DeliveryQueue.postgres: expected a jdbc:postgresql: URL");
        assertThatThrownBy(() -> ConnectionSource.postgres(null, "DicomIndex.postgres"))
                .hasMessage("DicomIndex.postgres: expected a jdbc:postgresql: URL");
    }
}
