package dev.harmony.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.message.Body;
import dev.harmony.message.Protocol;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Backend;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.pipeline.Rejection;
import dev.harmony.queue.DeliveryQueue;
import dev.harmony.queue.DestinationStatus;
import dev.harmony.queue.MessageState;
import dev.harmony.queue.QueueAdmin;
import dev.harmony.testing.DirectFrontend;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code queue} subcommand over a journal with known traffic: two messages delivered and one dead
 * for {@code fhir}, one pending behind an outage for {@code down}; each verb, its output and exit code.
 */
class QueueCommandTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    private Path journal;
    private String deadId;

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    /** Runs {@code queue args...} as Main does, printing into {@link #printed}; returns the exit code. */
    private int queue(String... args) throws Exception {
        printed.reset();
        QueueCommand command = new QueueCommand();
        return command.prepare(Args.parse(List.of(args), command.valuedOptions(), command.flagOptions()))
                .run(new PrintStream(printed, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return printed.toString(StandardCharsets.UTF_8);
    }

    /** The status line of {@code destination}: its columns after the name. */
    private List<String> statusOf(String destination) throws Exception {
        assertThat(queue("--queue-dir", journal.toString(), "status")).isZero();
        Map<String, List<String>> rows = out().lines().skip(1).map(l -> Arrays.asList(l.trim().split("\\s+")))
                .collect(Collectors.toMap(r -> r.get(0), r -> r.subList(1, r.size())));
        return rows.get(destination);
    }

    private static DeliveryQueue queue(Path dir, String name, Backend destination) {
        return DeliveryQueue.journal(dir).deliverTo(name, destination).minFreeBytes(0)
                .backoff(Duration.ofMinutes(10), Duration.ofMinutes(10)).build();
    }

    private static Response post(DirectFrontend in, String text) {
        return in.send(in.request("POST", "/Patient").body(Body.ofText(text, "application/json")));
    }

    private void fillJournal() throws Exception {
        journal = tmp.resolve("queue");
        Backend fhir = r -> r.body().text().contains("poison")
                ? Response.rejected(Rejection.invalid("not a Patient", List.of())) : Response.of(201);
        Backend down = r -> Response.rejected(Rejection.upstreamUnavailable("connection refused"));
        DeliveryQueue q1 = queue(journal, "fhir", fhir);
        DeliveryQueue q2 = queue(journal, "down", down);
        DirectFrontend in1 = DirectFrontend.speaking(Protocol.HTTP);
        DirectFrontend in2 = DirectFrontend.speaking(Protocol.HTTP);
        try (Pipeline p1 = Pipeline.builder().name("one").frontend(in1).backend(q1).build();
                Pipeline p2 = Pipeline.builder().name("two").frontend(in2).backend(q2).build()) {
            p1.start();
            p2.start();
            assertThat(post(in1, "{\"a\":1}").status()).isEqualTo(202);
            Response poison = post(in1, "{\"poison\":true}");
            assertThat(poison.status()).isEqualTo(202);
            deadId = poison.headers().first(DeliveryQueue.MESSAGE_ID_HEADER).orElseThrow();
            assertThat(post(in1, "{\"b\":2}").status()).isEqualTo(202);
            assertThat(post(in2, "{\"c\":3}").status()).isEqualTo(202);
            QueueAdmin a1 = q1.admin();
            QueueAdmin a2 = q2.admin();
            RunnerProcess.await(WAIT, "2 delivered, 1 dead, 1 failed attempt", () -> {
                DestinationStatus s = a1.status().get(0);
                return s.delivered() == 2 && s.dead() == 1
                        && a2.list("down", MessageState.PENDING, 10).stream().anyMatch(m -> !m.lastError().isEmpty());
            });
        }
    }

    @Test
    void statusDeadReplayAndPurgeOverAJournal() throws Exception {
        fillJournal();
        // columns: pending in-flight delivered dead oldest-pending bytes
        assertThat(statusOf("fhir").subList(0, 4)).containsExactly("0", "0", "2", "1");
        assertThat(statusOf("down").subList(0, 4)).containsExactly("1", "0", "0", "0");
        assertThat(statusOf("down").get(5)).isEqualTo("7"); // {"c":3}

        assertThat(queue("--queue-dir", journal.toString(), "dead")).isZero();
        assertThat(out()).contains(deadId).contains("fhir").contains("attempts 1").contains("permanent: INVALID");
        assertThat(out().lines().filter(l -> !l.startsWith(" ")).count()).isEqualTo(1);
        assertThat(queue("--queue-dir", journal.toString(), "dead", "down")).isZero();
        assertThat(out()).contains("no dead messages for down");

        assertThat(queue("--queue-dir", journal.toString(), "replay", deadId)).isZero();
        assertThat(out()).contains("replayed " + deadId);
        assertThat(statusOf("fhir").subList(0, 4)).containsExactly("1", "0", "2", "0");
        assertThat(queue("--queue-dir", journal.toString(), "replay", deadId)).isEqualTo(1);
        assertThat(out()).contains("not replayed " + deadId + ": it is pending");
        assertThat(queue("--queue-dir", journal.toString(), "replay", "0000-nope")).isEqualTo(1);
        assertThat(out()).contains("no such message");
        assertThat(queue("--queue-dir", journal.toString(), "replay", "--all", "fhir")).isZero();
        assertThat(out()).contains("replayed 0 dead messages of fhir");

        assertThat(queue("--queue-dir", journal.toString(), "purge", "fhir", "delivered", "--older-than", "1d")).isZero();
        assertThat(out()).contains("purged 0 delivered messages of fhir older than 24h");
        assertThat(queue("--queue-dir", journal.toString(), "purge", "fhir", "delivered")).isZero();
        assertThat(out()).contains("purged 2 delivered messages of fhir");
        assertThat(statusOf("fhir").subList(0, 4)).containsExactly("1", "0", "0", "0");
    }

    @Test
    void replayAllAndPurgeDeadThroughTheRunner() throws Exception {
        fillJournal();
        RunnerHarness runner = new RunnerHarness();
        assertThat(runner.run("queue", "--queue-dir", journal.toString(), "replay", "--all", "fhir")).isZero();
        assertThat(statusOf("fhir").subList(0, 4)).containsExactly("1", "0", "2", "0");
        // dead again: run the queue once more so the poison message fails for good, then purge it
        DeliveryQueue q = queue(journal, "fhir", r -> Response.rejected(Rejection.invalid("not a Patient", List.of())));
        q.start();
        try {
            RunnerProcess.await(WAIT, "the replayed message dead again", () -> q.admin().status().get(0).dead() == 1);
            // the running queue owns its journal: from outside it can be read, not changed
            assertThat(statusOf("fhir").subList(0, 4)).containsExactly("0", "0", "2", "1");
            assertThat(runner.run("queue", "--queue-dir", journal.toString(), "purge", "fhir", "dead")).isEqualTo(1);
            assertThat(runner.err()).contains("queue failed");
        } finally {
            q.stop();
        }
        assertThat(queue("--queue-dir", journal.toString(), "purge", "fhir", "dead")).isZero();
        assertThat(out()).contains("purged 1 dead message of fhir");
        assertThat(statusOf("fhir").subList(0, 4)).containsExactly("0", "0", "2", "0");
    }

    @Test
    void badUsageIsExitTwoNamingTheProblem() throws Exception {
        RunnerHarness runner = new RunnerHarness();
        String dir = tmp.toString();
        assertThat(runner.run("queue", "--queue-dir", dir)).isEqualTo(2);
        assertThat(runner.err()).contains("name a verb");
        assertThat(runner.run("queue", "--queue-dir", dir, "drop")).isEqualTo(2);
        assertThat(runner.err()).contains("unknown verb 'drop'");
        assertThat(runner.run("queue", "status")).isEqualTo(2);
        assertThat(runner.err()).contains("give exactly one of --queue-dir DIR and --queue JDBC-URL");
        assertThat(runner.run("queue", "--queue-dir", dir, "--queue", "jdbc:postgresql://127.0.0.1:1/x", "status"))
                .isEqualTo(2);
        assertThat(runner.run("queue", "--queue", "mysql://x", "status")).isEqualTo(2);
        assertThat(runner.err()).contains("expects jdbc:postgresql://");
        assertThat(runner.run("queue", "--queue-dir", dir, "purge", "fhir", "pending")).isEqualTo(2);
        assertThat(runner.err()).contains("purge takes a destination and dead or delivered");
        assertThat(runner.run("queue", "--queue-dir", dir, "purge", "fhir", "dead", "--older-than", "soon")).isEqualTo(2);
        assertThat(runner.err()).contains("--older-than expects");
        assertThat(runner.run("queue", "--queue-dir", dir, "replay")).isEqualTo(2);
        assertThat(runner.run("queue", "--queue-dir", tmp.resolve("none").toString(), "status")).isEqualTo(2);
        assertThat(runner.err()).contains("no queue at");
        assertThat(runner.run("queue", "--queue-dir", dir, "status", "--limit", "3")).isEqualTo(2);
        assertThat(runner.err()).contains("--limit is for dead");
        assertThat(runner.run("queue", "--queue-dir", dir, "status")).isZero();
        journal = tmp;
        assertThat(statusOf("fhir")).isNull();
        assertThat(out()).contains("no destinations");
    }
}
