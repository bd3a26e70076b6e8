package dev.harmony.examples.joltfhir;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.harmony.examples.RunnerProcess;
import dev.harmony.fhir.server.EmbeddedFhirServer;
import dev.harmony.message.Json;
import dev.harmony.queue.DestinationStatus;
import dev.harmony.queue.QueueAdmin;
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
 * {@code jolt-fhir --queue-dir} in a forked runner: the webhook answers 202 with a message id while the FHIR
 * store is down; once a real FHIR server comes up on that port, the Patient is there, once, though it was
 * posted twice (the conditional create makes redelivery idempotent).
 */
class JoltFhirQueueTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path tmp;

    @Test
    void postsWhileTheStoreIsDownAre202AndArriveOnceItIsUp() throws Exception {
        String sample = JoltFhirGoldenTest.resource(JoltFhirExample.SAMPLE);
        int storePort = RunnerProcess.freePort(); // nothing listens there yet
        Path queue = tmp.resolve("queue");
        try (RunnerProcess runner = RunnerProcess.start(tmp.resolve("runner.log"), "jolt-fhir", "--port", "0",
                "--fhir-base", "http://127.0.0.1:" + storePort + "/fhir", "--queue-dir", queue.toString())) {
            URI webhook = URI.create("http://127.0.0.1:" + runner.port() + JoltFhirExample.DEFAULT_PATH);
            HttpResponse<String> first = post(webhook, sample);
            assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
            String id = first.headers().firstValue("Harmony-Message-Id").orElseThrow();
            JsonNode body = Json.mapper().readTree(first.body());
            assertThat(body.path("messageId").asText()).isEqualTo(id);
            assertThat(body.path("destination").asText()).isEqualTo(JoltFhirExample.QUEUE_DESTINATION);
            HttpResponse<String> second = post(webhook, sample);
            assertThat(second.statusCode()).isEqualTo(202);
            assertThat(second.headers().firstValue("Harmony-Message-Id")).isPresent().isNotEqualTo(id);
            // bad input is still refused at once, not queued
            assertThat(post(webhook, "{\"pid\":{}}").statusCode()).isEqualTo(422);

            // a journal opened from outside while the runner owns it is a read-only snapshot: reopen to poll
            RunnerProcess.await(Duration.ofSeconds(30), "a failed attempt", () -> status(queue, admin -> admin.message(id)
                    .map(m -> m.lastError().contains("UPSTREAM")).orElse(false)));
            long waiting = status(queue, admin -> status(admin).pending() + status(admin).inFlight());
            assertThat(waiting).isEqualTo(2);
            try (EmbeddedFhirServer store = EmbeddedFhirServer.onPort(storePort, false).start()) {
                RunnerProcess.await(Duration.ofSeconds(90), "both delivered",
                        () -> status(queue, admin -> status(admin).delivered()) == 2);
                long dead = status(queue, admin -> status(admin).dead());
                assertThat(dead).isZero();
                assertThat(store.count("Patient")).as("conditional create: one Patient").isEqualTo(1);
            }
            runner.stop();
        }
    }

    private static <T> T status(Path queue, java.util.function.Function<QueueAdmin, T> read) {
        try (QueueAdmin admin = QueueAdmin.journal(queue)) {
            return read.apply(admin);
        }
    }

    private static DestinationStatus status(QueueAdmin admin) {
        List<DestinationStatus> all = admin.status();
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    private HttpResponse<String> post(URI webhook, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(webhook).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
