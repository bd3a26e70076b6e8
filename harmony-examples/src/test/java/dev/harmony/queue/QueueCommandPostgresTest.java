package dev.harmony.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.jdbc.PgServer;
import dev.harmony.message.Body;
import dev.harmony.message.Protocol;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Backend;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.pipeline.Rejection;
import dev.harmony.testing.DirectFrontend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The runner's {@code queue --queue jdbc:postgresql://...} verbs, each in its own JVM, against a real
 * PostgreSQL server the test starts (harmony-jdbc's test PgServer): two delivered and one dead for {@code fhir}.
 * In this package to reuse harmony-queue's test helpers.
 */
class QueueCommandPostgresTest {

    private record Run(int exit, String out) {
    }

    private static Run runner(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.harmony.examples.Main"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out);
    }

    @Test
    void statusDeadReplayPurgeOnPostgres() throws Exception {
        try (PgServer pg = PgServer.start()) {
            Backend fhir = r -> r.body().text().contains("poison")
                    ? Response.rejected(Rejection.invalid("not a Patient", List.of())) : Response.of(201);
            DeliveryQueue queue = DeliveryQueue.postgres(pg.url()).deliverTo("fhir", fhir).minFreeBytes(0)
                    .backoff(Duration.ofMinutes(10), Duration.ofMinutes(10)).build();
            DirectFrontend in = DirectFrontend.speaking(Protocol.HTTP);
            String deadId;
            try (Pipeline p = Pipeline.builder().name("pg").frontend(in).backend(queue).build()) {
                p.start();
                assertThat(in.send(in.request("POST", "/Patient").body(Body.ofText("{\"a\":1}", "application/json")))
                        .status()).isEqualTo(202);
                Response poison = in.send(in.request("POST", "/Patient").body(Body.ofText("{\"poison\":1}",
                        "application/json")));
                deadId = poison.headers().first(DeliveryQueue.MESSAGE_ID_HEADER).orElseThrow();
                assertThat(in.send(in.request("POST", "/Patient").body(Body.ofText("{\"b\":2}", "application/json")))
                        .status()).isEqualTo(202);
                Peers.await(Duration.ofSeconds(30), "2 delivered, 1 dead", () -> {
                    DestinationStatus s = queue.admin().status().get(0);
                    return s.delivered() == 2 && s.dead() == 1;
                });
            }
            Run status = runner("queue", "--queue", pg.url(), "status");
            assertThat(status.exit()).as(status.out()).isZero();
            assertThat(columns(status.out(), "fhir")).startsWith("0", "0", "2", "1");

            Run dead = runner("queue", "--queue", pg.url(), "dead", "fhir");
            assertThat(dead.exit()).as(dead.out()).isZero();
            assertThat(dead.out()).contains(deadId).contains("permanent: INVALID");

            Run replay = runner("queue", "--queue", pg.url(), "replay", deadId);
            assertThat(replay.exit()).as(replay.out()).isZero();
            assertThat(replay.out()).contains("replayed " + deadId);
            assertThat(columns(runner("queue", "--queue", pg.url(), "status").out(), "fhir")).startsWith("1", "0", "2", "0");

            Run purge = runner("queue", "--queue", pg.url(), "purge", "fhir", "delivered");
            assertThat(purge.exit()).as(purge.out()).isZero();
            assertThat(purge.out()).contains("purged 2 delivered messages of fhir");
            assertThat(columns(runner("queue", "--queue", pg.url(), "status").out(), "fhir")).startsWith("1", "0", "0", "0");
        }
    }

    private static List<String> columns(String out, String destination) {
        return out.lines().map(String::trim).filter(l -> l.startsWith(destination + " ")).findFirst()
                .map(l -> List.of(l.split("\\s+")).subList(1, 5)).orElseThrow(() -> new AssertionError(out));
    }
}
