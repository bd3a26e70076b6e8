package dev.harmony.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.fhir.backend.FhirClient;
import dev.harmony.fhir.backend.Retry;
import dev.harmony.jdbc.PgServer;
import dev.harmony.message.Body;
import dev.harmony.message.Protocol;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Rejection;
import dev.harmony.queue.ScriptedHttp.Answer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared queue on a real PostgreSQL server this test starts; nodes in this JVM and in child JVMs. */
class PostgresQueueTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static PgServer pg;
    private static int tables;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startPostgres() throws Exception {
        pg = PgServer.start();
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    static String patient(String name) {
        return "{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"" + name + "\"}]}";
    }

    private static String table() {
        return "q" + (++tables);
    }

    private static DeliveryQueue node(String table, String id, ScriptedHttp server) {
        FhirClient client = FhirClient.to(server.base()).retry(Retry.none()).build();
        return DeliveryQueue.postgres(pg.url()).table(table).deliverTo("fhir", client).nodeId(id)
                .lease(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(100))
                .backoff(Duration.ofMillis(50), Duration.ofMillis(200)).minFreeBytes(0).build();
    }

    private static Response send(DeliveryQueue q, String body) throws Exception {
        return q.handle(Request.builder(Protocol.HTTP, "POST").path("/Patient")
                .body(Body.ofText(body, "application/fhir+json")).build());
    }

    private static long count(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(pg.url()); ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void whenANodeIsKilledMidDeliveryAnotherTakesOverAfterTheLeaseExpires() throws Exception {
        AtomicBoolean holdFirst = new AtomicBoolean(true);
        try (ScriptedHttp server = new ScriptedHttp(0, r -> r.body().contains("\"p1\"") && holdFirst.getAndSet(false)
                ? null : Answer.of(201))) {
            List<String> ids = new ArrayList<>();
            try (Forked a = new Forked(tmp.resolve("a.log"), "postgres", pg.url(), "node-a",
                    server.base().toString(), "3")) {
                for (int i = 0; i < 3; i++) {
                    ids.add(a.await("ACCEPTED "));
                }
                // Node A's worker is inside the delivery of p1 (the server holds it): kill it there.
                Peers.await(WAIT, "node A delivering p1", () -> server.countContaining("\"p1\"") == 1);
                a.kill();
            }
            DeliveryQueue b = DeliveryQueue.postgres(pg.url()).deliverTo("fhir",
                    FhirClient.to(server.base()).retry(Retry.none()).build()).nodeId("node-b")
                    .lease(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(100)).minFreeBytes(0).build();
            b.start();
            try (QueueAdmin admin = QueueAdmin.postgres(pg.url())) {
                Peers.await(WAIT, "all three delivered by node B", () -> admin.status().get(0).delivered() == 3);
                assertThat(server.countContaining("\"p1\"")).isEqualTo(2); // at least once: A's attempt, then B's
                assertThat(server.countContaining("\"p2\"")).isEqualTo(1);
                assertThat(server.countContaining("\"p3\"")).isEqualTo(1);
                MessageInfo first = admin.message(ids.get(0)).orElseThrow();
                assertThat(first.history()).extracting(MessageEvent::type).containsExactly(MessageEvent.Type.ACCEPTED,
                        MessageEvent.Type.ATTEMPT, MessageEvent.Type.RECOVERED, MessageEvent.Type.ATTEMPT,
                        MessageEvent.Type.DELIVERED);
                assertThat(first.history().get(1).detail()).isEqualTo("node-a");
                assertThat(first.history().get(2).detail()).isEqualTo("the lease of node-a expired");
                assertThat(first.history().get(3).detail()).isEqualTo("node-b");
                assertThat(count("SELECT count(*) FROM pg_largeobject_metadata")).isZero(); // payloads removed
            } finally {
                b.stop();
            }
        }
    }

    @Test
    void twoLiveNodesShareTheWorkAndDeliverEachMessageOnce() throws Exception {
        String table = table();
        try (ScriptedHttp server = new ScriptedHttp(0, r -> Answer.of(201))) {
            DeliveryQueue a = node(table, "a", server);
            DeliveryQueue b = node(table, "b", server);
            a.start();
            b.start();
            try {
                for (int i = 1; i <= 20; i++) {
                    assertThat(send(i % 2 == 0 ? a : b, patient("m" + i)).status()).isEqualTo(202);
                }
                Peers.await(WAIT, "20 delivered", () -> a.admin().status().get(0).delivered() == 20);
                for (int i = 1; i <= 20; i++) {
                    assertThat(server.countContaining("\"m" + i + "\"")).as("m" + i).isEqualTo(1);
                }
                List<MessageInfo> delivered = a.admin().list("fhir", MessageState.DELIVERED, 100);
                assertThat(delivered).hasSize(20);
                assertThat(delivered).extracting(m -> m.history().get(1).detail()).contains("a", "b");
            } finally {
                a.stop();
                b.stop();
            }
        }
    }

    @Test
    void poisonGoesDeadReplayAndPurgeWorkAndTheLimitRefuses() throws Exception {
        String table = table();
        AtomicBoolean fixed = new AtomicBoolean();
        try (ScriptedHttp server = new ScriptedHttp(0, r -> r.body().contains("poison") && !fixed.get()
                ? Answer.of(400) : Answer.of(201))) {
            DeliveryQueue q = node(table, "n", server);
            q.start();
            try {
                String poison = send(q, patient("poison")).headers().first(DeliveryQueue.MESSAGE_ID_HEADER).orElseThrow();
                send(q, patient("ok1"));
                send(q, patient("ok2"));
                QueueAdmin admin = q.admin();
                Peers.await(WAIT, "2 delivered, 1 dead", () -> admin.status().get(0).delivered() == 2
                        && admin.status().get(0).dead() == 1);
                MessageInfo dead = admin.dead("fhir", 5).get(0);
                assertThat(dead.id()).isEqualTo(poison);
                assertThat(dead.lastError()).startsWith("permanent: MALFORMED");
                assertThat(count("SELECT count(*) FROM pg_largeobject_metadata")).isEqualTo(1); // the dead one's payload

                fixed.set(true);
                assertThat(admin.replayDead("fhir")).isEqualTo(1);
                Peers.await(WAIT, "replayed", () -> admin.status().get(0).delivered() == 3);
                assertThat(admin.purge("fhir", MessageState.DELIVERED, Duration.ZERO)).isEqualTo(3);
                assertThat(admin.status().get(0).delivered()).isZero();
                assertThat(count("SELECT count(*) FROM pg_largeobject_metadata")).isZero();
            } finally {
                q.stop();
            }
        }
        // Back-pressure counts what the table holds.
        int nobody = Peers.freePort();
        FhirClient down = FhirClient.to(java.net.URI.create("http://127.0.0.1:" + nobody + "/fhir")).retry(Retry.none())
                .build();
        DeliveryQueue limited = DeliveryQueue.postgres(pg.url()).table(table()).deliverTo("fhir", down)
                .maxMessages(1).minFreeBytes(0).backoff(Duration.ofSeconds(10), Duration.ofSeconds(10)).build();
        limited.start();
        try {
            assertThat(send(limited, patient("x")).status()).isEqualTo(202);
            Response refused = send(limited, patient("y"));
            assertThat(refused.rejection().orElseThrow().kind()).isEqualTo(Rejection.Kind.UNAVAILABLE);
            assertThat(refused.rejection().orElseThrow().retryAfter()).isPresent();
        } finally {
            limited.stop();
        }
    }
}
