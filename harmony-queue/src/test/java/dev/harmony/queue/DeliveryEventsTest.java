package dev.harmony.queue;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.harmony.fhir.backend.FhirClient;
import dev.harmony.fhir.backend.Retry;
import dev.harmony.http.dashboard.Dashboard;
import dev.harmony.http.dashboard.DeliveryFigures;
import dev.harmony.http.dashboard.PipelineMetrics;
import dev.harmony.message.Body;
import dev.harmony.message.Json;
import dev.harmony.message.Protocol;
import dev.harmony.message.Request;
import dev.harmony.micrometer.PipelineMeters;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.pipeline.PipelineListener;
import dev.harmony.pipeline.PipelineListener.Delivery;
import dev.harmony.pipeline.PipelineListener.DeliveryEvent;
import dev.harmony.pipeline.Rejection;
import dev.harmony.queue.ScriptedHttp.Answer;
import dev.harmony.testing.DirectFrontend;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pipeline listeners hear of every delivery attempt (on the queue's worker threads, after the exchange was
 * answered) with destination, outcome and duration; the dashboard's JSON and /metrics and the Micrometer
 * binding count them per destination. Checked against a real HTTP server whose failures are scripted.
 */
class DeliveryEventsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path tmp;

    /** Records what it hears, with the thread it heard it on. */
    static final class Recorder implements PipelineListener {
        record Heard(DeliveryEvent event, String thread) {
        }

        final List<Heard> attempts = new CopyOnWriteArrayList<>();
        final Map<String, String> exchangeOfBody = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public void exchangeStarted(String pipeline, String exchangeId, Request request) {
            exchangeOfBody.put(exchangeId, pipeline);
        }

        @Override
        public void deliveryAttempted(DeliveryEvent event) {
            attempts.add(new Heard(event, Thread.currentThread().getName()));
        }

        List<DeliveryEvent> of(String messageId) {
            return attempts.stream().map(Heard::event).filter(e -> e.messageId().equals(messageId)).toList();
        }
    }

    private DeliveryQueue queue(ScriptedHttp server, int maxAttempts) {
        FhirClient client = FhirClient.to(server.base()).retry(Retry.none()).build();
        return DeliveryQueue.journal(tmp.resolve("queue")).deliverTo("fhir", client).maxAttempts(maxAttempts)
                .backoff(Duration.ofMillis(10), Duration.ofMillis(50)).minFreeBytes(0).build();
    }

    private static String accept(DirectFrontend in, String name) {
        var r = in.send(in.request("POST", "/Patient").body(Body.ofText("{\"resourceType\":\"Patient\",\"name\":[{"
                + "\"family\":\"" + name + "\"}]}", "application/fhir+json")));
        assertThat(r.status()).isEqualTo(202);
        return r.headers().first(DeliveryQueue.MESSAGE_ID_HEADER).orElseThrow();
    }

    private String get(URI uri) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    @Test
    void aDownstreamFailingThreeTimesThenRecoveringGivesThreeRetriesAndOneDeliveryAndAPoisonOneDead() throws Exception {
        AtomicInteger adaCalls = new AtomicInteger();
        try (ScriptedHttp server = new ScriptedHttp(0, r -> r.body().contains("poison") ? Answer.of(422)
                : r.body().contains("ada") && adaCalls.incrementAndGet() <= 3 ? Answer.of(503) : Answer.of(201))) {
            DeliveryQueue queue = queue(server, 20);
            DirectFrontend in = DirectFrontend.speaking(Protocol.HTTP);
            Recorder recorder = new Recorder();
            PipelineMetrics metrics = PipelineMetrics.create();
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            try (Pipeline p = Pipeline.builder().name("events").frontend(in).backend(queue).listener(recorder)
                    .listener(metrics).build();
                    Dashboard dashboard = Dashboard.on(0).pipelines(() -> List.of(p)).metrics(metrics).start()) {
                PipelineMeters.on(registry).attach(p);
                p.start();
                String ada = accept(in, "ada");
                Peers.await(WAIT, "ada delivered", () -> recorder.of(ada).size() == 4);
                String poison = accept(in, "poison");
                Peers.await(WAIT, "poison dead", () -> recorder.of(poison).size() == 1);

                List<DeliveryEvent> adaEvents = recorder.of(ada);
                assertThat(adaEvents).extracting(DeliveryEvent::outcome).containsExactly(Delivery.RETRY_SCHEDULED,
                        Delivery.RETRY_SCHEDULED, Delivery.RETRY_SCHEDULED, Delivery.DELIVERED);
                assertThat(adaEvents).extracting(DeliveryEvent::attempt).containsExactly(1, 2, 3, 4);
                assertThat(adaEvents).allSatisfy(e -> {
                    assertThat(e.pipeline()).isEqualTo("events");
                    assertThat(e.destination()).isEqualTo("fhir");
                    assertThat(recorder.exchangeOfBody).containsKey(e.exchangeId()); // the accepted exchange's id
                    assertThat(e.durationNanos()).isPositive();
                });
                assertThat(adaEvents.subList(0, 3)).allSatisfy(e -> assertThat(e.rejection().kind())
                        .isEqualTo(Rejection.Kind.UPSTREAM_UNAVAILABLE));
                assertThat(adaEvents.get(3).rejection()).isNull();
                assertThat(adaEvents.get(0).exchangeId()).isEqualTo(adaEvents.get(3).exchangeId());
                List<DeliveryEvent> poisonEvents = recorder.of(poison);
                assertThat(poisonEvents.get(0).outcome()).isEqualTo(Delivery.DEAD);
                assertThat(poisonEvents.get(0).rejection().kind()).isEqualTo(Rejection.Kind.INVALID);
                assertThat(poisonEvents.get(0).exchangeId()).isNotEqualTo(adaEvents.get(0).exchangeId());
                // heard on the queue's workers, not on the threads that sent the exchanges
                assertThat(recorder.attempts).hasSize(5)
                        .allSatisfy(h -> assertThat(h.thread()).startsWith("queue-fhir-"));

                DeliveryFigures f = metrics.snapshot(p).delivery("fhir").orElseThrow();
                assertThat(f).extracting(DeliveryFigures::attempts, DeliveryFigures::delivered, DeliveryFigures::retried,
                        DeliveryFigures::dead).containsExactly(5L, 1L, 3L, 1L);
                assertThat(f.p99Millis()).isPositive();

                JsonNode json = Json.mapper().readTree(get(dashboard.url().resolve("api/pipelines")));
                JsonNode d = json.path("pipelines").get(0).path("deliveries").get(0);
                assertThat(d.path("destination").asText()).isEqualTo("fhir");
                assertThat(d.path("retried").asLong()).isEqualTo(3);
                assertThat(d.path("delivered").asLong()).isEqualTo(1);
                assertThat(d.path("dead").asLong()).isEqualTo(1);

                String scrape = get(dashboard.url().resolve("metrics"));
                assertThat(scrape).contains("# TYPE harmony_delivery_seconds summary")
                        .contains("harmony_delivery_seconds_count{pipeline=\"events\",destination=\"fhir\","
                                + "outcome=\"retry_scheduled\"} 3\n")
                        .contains("harmony_delivery_seconds_count{pipeline=\"events\",destination=\"fhir\","
                                + "outcome=\"delivered\"} 1\n")
                        .contains("harmony_delivery_seconds_count{pipeline=\"events\",destination=\"fhir\","
                                + "outcome=\"dead\"} 1\n");

                for (var expected : Map.of("retry_scheduled", 3L, "delivered", 1L, "dead", 1L).entrySet()) {
                    assertThat(registry.get("harmony.delivery").tags("pipeline", "events", "destination", "fhir",
                            "outcome", expected.getKey()).timer().count()).as(expected.getKey())
                            .isEqualTo(expected.getValue());
                }
            }
        }
    }

    @Test
    void outOfAttemptsIsOneDeadEventAfterTheRetries() throws Exception {
        try (ScriptedHttp server = new ScriptedHttp(0, r -> Answer.of(503))) {
            DeliveryQueue queue = queue(server, 3);
            DirectFrontend in = DirectFrontend.speaking(Protocol.HTTP);
            Recorder recorder = new Recorder();
            try (Pipeline p = Pipeline.builder().name("tries").frontend(in).backend(queue).listener(recorder).build()) {
                p.start();
                String id = accept(in, "bob");
                Peers.await(WAIT, "dead after 3", () -> recorder.of(id).size() == 3);
                assertThat(recorder.of(id)).extracting(DeliveryEvent::outcome).containsExactly(Delivery.RETRY_SCHEDULED,
                        Delivery.RETRY_SCHEDULED, Delivery.DEAD);
                assertThat(queue.admin().message(id).orElseThrow().state()).isEqualTo(MessageState.DEAD);
            }
        }
    }

    @Test
    void attemptsAfterARestartAreReportedToThePipelineOfTheSameName() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (ScriptedHttp server = new ScriptedHttp(0, r -> calls.incrementAndGet() == 1 ? Answer.of(503)
                : Answer.of(201))) {
            Recorder first = new Recorder();
            String id;
            FhirClient client = FhirClient.to(server.base()).retry(Retry.none()).build();
            DeliveryQueue slow = DeliveryQueue.journal(tmp.resolve("queue")).deliverTo("fhir", client)
                    .backoff(Duration.ofMinutes(10), Duration.ofMinutes(10)).minFreeBytes(0).build();
            DirectFrontend in = DirectFrontend.speaking(Protocol.HTTP);
            try (Pipeline p = Pipeline.builder().name("restarts").frontend(in).backend(slow).listener(first).build()) {
                p.start();
                id = accept(in, "cy");
                Peers.await(WAIT, "first attempt", () -> first.of(id).size() == 1);
            }
            assertThat(first.of(id)).extracting(DeliveryEvent::outcome).containsExactly(Delivery.RETRY_SCHEDULED);

            Recorder second = new Recorder();
            DirectFrontend in2 = DirectFrontend.speaking(Protocol.HTTP);
            try (Pipeline p = Pipeline.builder().name("restarts").frontend(in2).backend(queue(server, 20))
                    .listener(second).build()) {
                p.start(); // a start makes pending work due at once
                Peers.await(WAIT, "delivered after the restart", () -> second.of(id).size() == 1);
            }
            DeliveryEvent after = second.of(id).get(0);
            assertThat(after.outcome()).isEqualTo(Delivery.DELIVERED);
            assertThat(after.attempt()).isEqualTo(2);
            assertThat(after.exchangeId()).isEqualTo(first.of(id).get(0).exchangeId());
            assertThat(first.attempts).hasSize(1);
        }
    }
}
