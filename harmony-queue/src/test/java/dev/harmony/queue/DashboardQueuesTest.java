package dev.harmony.queue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.harmony.http.dashboard.Dashboard;
import dev.harmony.message.Body;
import dev.harmony.message.Json;
import dev.harmony.message.Protocol;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Backend;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.pipeline.Rejection;
import dev.harmony.testing.DirectFrontend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard (harmony-http) finds the running queues through the ServiceLoader and shows, per
 * destination, depth, oldest pending age, dead letters and delivery attempts, checked against known traffic.
 */
class DashboardQueuesTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path tmp;

    private static DeliveryQueue queue(Path dir, String name, Backend destination) {
        return DeliveryQueue.journal(dir).deliverTo(name, destination).minFreeBytes(0)
                .backoff(Duration.ofMinutes(10), Duration.ofMinutes(10)).build();
    }

    private static Response post(DirectFrontend in, String text) {
        return in.send(in.request("POST", "/x").body(Body.ofText(text, "application/json")));
    }

    private String get(URI uri) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    @Test
    void depthOldestPendingDeadAndAttemptsPerDestination() throws Exception {
        Backend ok = r -> r.body().text().contains("poison")
                ? Response.rejected(Rejection.invalid("refused", List.of())) : Response.of(201);
        Backend down = r -> Response.rejected(Rejection.upstreamUnavailable("connection refused"));
        DeliveryQueue q1 = queue(tmp.resolve("q"), "archive", ok);
        DeliveryQueue q2 = queue(tmp.resolve("q"), "outage", down);
        DirectFrontend in1 = DirectFrontend.speaking(Protocol.HTTP);
        DirectFrontend in2 = DirectFrontend.speaking(Protocol.HTTP);
        long started = System.nanoTime();
        try (Pipeline p1 = Pipeline.builder().name("one").frontend(in1).backend(q1).build();
                Pipeline p2 = Pipeline.builder().name("two").frontend(in2).backend(q2).build();
                Dashboard dashboard = Dashboard.on(0).pipelines(() -> List.of(p1, p2)).start()) {
            p1.start();
            p2.start();
            for (String body : List.of("{\"a\":1}", "{\"poison\":1}", "{\"b\":2}")) {
                assertThat(post(in1, body).status()).isEqualTo(202);
            }
            for (int i = 0; i < 3; i++) {
                assertThat(post(in2, "{\"n\":" + i + "}").status()).isEqualTo(202);
            }
            Peers.await(WAIT, "3 attempts at archive, 1 at outage", () -> q1.attempts() == 3
                    && q1.admin().status().get(0).delivered() == 2 && q2.failedAttempts() == 1);

            JsonNode queues = Json.mapper().readTree(get(dashboard.url().resolve("api/pipelines"))).path("queues");
            assertThat(queues).hasSize(2);
            JsonNode archive = queues.get(0);
            assertThat(archive.path("destination").asText()).isEqualTo("archive");
            assertThat(archive.path("store").asText()).startsWith("journal ");
            assertThat(archive.path("depth").asLong()).isZero();
            assertThat(archive.path("delivered").asLong()).isEqualTo(2);
            assertThat(archive.path("dead").asLong()).isEqualTo(1);
            assertThat(archive.path("attempts").asLong()).isEqualTo(3);
            assertThat(archive.path("failedAttempts").asLong()).isEqualTo(1);
            assertThat(archive.path("oldestPendingSeconds").asDouble()).isZero();

            JsonNode outage = queues.get(1);
            assertThat(outage.path("destination").asText()).isEqualTo("outage");
            assertThat(outage.path("depth").asLong()).isEqualTo(3);
            assertThat(outage.path("pending").asLong()).isEqualTo(3); // the failed one waits for its retry
            assertThat(outage.path("dead").asLong()).isZero();
            assertThat(outage.path("attempts").asLong()).as("paused after the failure: one probe").isEqualTo(1);
            assertThat(outage.path("failedAttempts").asLong()).isEqualTo(1);
            double elapsed = (System.nanoTime() - started) / 1e9;
            assertThat(outage.path("oldestPendingSeconds").asDouble()).isBetween(0.0, elapsed);

            String page = get(dashboard.url());
            assertThat(page).contains("Delivery queues").contains("data-queue=\"archive\"")
                    .contains("data-queue=\"outage\"");
        }
        // stopped queues leave the dashboard's list
        assertThat(DeliveryQueue.running()).doesNotContain(q1, q2);
    }
}
