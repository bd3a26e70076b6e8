package dev.harmony.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.fhir.backend.FhirClient;
import dev.harmony.fhir.backend.Retry;
import dev.harmony.message.Body;
import dev.harmony.message.Protocol;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.pipeline.Rejection;
import dev.harmony.queue.ScriptedHttp.Answer;
import dev.harmony.testing.DirectFrontend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal queue in front of FhirClient, against a real HTTP server that fails and recovers. */
class JournalQueueTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    private static String patient(String name) {
        return "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"urn:mrn\",\"value\":\"" + name
                + "\"}],\"name\":[{\"family\":\"" + name + "\"}]}";
    }

    private DeliveryQueue.Builder queue(ScriptedHttp server) {
        FhirClient client = FhirClient.to(server.base()).conditionalCreate("urn:mrn").retry(Retry.none()).build();
        return DeliveryQueue.journal(tmp.resolve("queue")).deliverTo("fhir", client)
                .backoff(Duration.ofMillis(20), Duration.ofMillis(200)).minFreeBytes(0);
    }

    private static Response send(DirectFrontend in, String body) {
        return in.send(in.request("POST", "/Patient").header("Authorization", "Bearer secret")
                .body(Body.ofText(body, "application/fhir+json")));
    }

    @Test
    void anOutageThenRecoveryDeliversWithHistoryAndTheAcceptAnswerCarriesTheId() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (ScriptedHttp server = new ScriptedHttp(0, r -> calls.incrementAndGet() <= 2
                ? new Answer(503, "{}", Map.of("Retry-After", "1")) : Answer.of(201))) {
            DeliveryQueue queue = queue(server).build();
            DirectFrontend in = DirectFrontend.speaking(Protocol.HTTP);
            try (Pipeline p = Pipeline.builder().name("q").frontend(in).backend(queue).build()) {
                p.start();
                Response accepted = send(in, patient("ada"));
                assertThat(accepted.status()).isEqualTo(202);
                String id = accepted.headers().first(DeliveryQueue.MESSAGE_ID_HEADER).orElseThrow();
                assertThat(accepted.body().json().path("messageId").asText()).isEqualTo(id);

                QueueAdmin admin = queue.admin();
                Peers.await(WAIT, "delivery", () -> admin.status().get(0).delivered() == 1);
                MessageInfo m = admin.message(id).orElseThrow();
                assertThat(m.state()).isEqualTo(MessageState.DELIVERED);
                assertThat(m.attempts()).isEqualTo(3);
                assertThat(m.history()).extracting(MessageEvent::type).containsExactly(MessageEvent.Type.ACCEPTED,
                        MessageEvent.Type.ATTEMPT, MessageEvent.Type.FAILED, MessageEvent.Type.ATTEMPT,
                        MessageEvent.Type.FAILED, MessageEvent.Type.ATTEMPT, MessageEvent.Type.DELIVERED);
                assertThat(m.history().get(2).detail()).contains("UPSTREAM_UNAVAILABLE").contains("503");
                // Retry-After: 1 is honoured: each retry came at least a second after the failure before it.
                for (int i : new int[] {2, 4}) {
                    assertThat(Duration.between(m.history().get(i).at(), m.history().get(i + 1).at()))
                            .isGreaterThanOrEqualTo(Duration.ofMillis(990));
                }

                // Three attempts of the same resource, each a conditional create, none with the caller's token.
                assertThat(server.received).hasSize(3).allSatisfy(r -> {
                    assertThat(r.body()).contains("\"ada\"");
                    assertThat(r.header("If-None-Exist")).isEqualTo("identifier=urn%3Amrn|ada");
                    assertThat(r.header("Authorization")).isNull();
                });
                // The payload of a delivered message is gone from disk; its record stays.
                Path messages = tmp.resolve("queue/fhir/messages");
                Path message = messages.resolve(id + ".msg");
                assertThat(new String(Files.readAllBytes(message), java.nio.charset.StandardCharsets.UTF_8))
                        .contains("\"id\":\"" + id + "\"").doesNotContain("\"ada\"");
                assertThat(Files.exists(messages.resolve(id + ".body"))).isFalse();
                assertThat(Files.exists(messages.resolve(id + ".state"))).isTrue();
            }
        }
    }

    @Test
    void aPoisonMessageGoesDeadWhileTheOthersAreDeliveredAndReplayWorks() throws Exception {
        AtomicInteger poisonAnswer = new AtomicInteger(422);
        try (ScriptedHttp server = new ScriptedHttp(0, r -> r.body().contains("poison")
                ? Answer.of(poisonAnswer.get()) : Answer.of(201))) {
            DeliveryQueue queue = queue(server).build();
            DirectFrontend in = DirectFrontend.speaking(Protocol.HTTP);
            try (Pipeline p = Pipeline.builder().name("q").frontend(in).backend(queue).build()) {
                p.start();
                String poison = send(in, patient("poison")).headers().first(DeliveryQueue.MESSAGE_ID_HEADER)
                        .orElseThrow();
                for (String n : List.of("b", "c", "d")) {
                    assertThat(send(in, patient(n)).status()).isEqualTo(202);
                }
                QueueAdmin admin = queue.admin();
                Peers.await(WAIT, "three delivered, one dead",
                        () -> admin.status().get(0).delivered() == 3 && admin.status().get(0).dead() == 1);
                List<MessageInfo> dead = admin.dead("fhir", 10);
                assertThat(dead).extracting(MessageInfo::id).containsExactly(poison);
                assertThat(dead.get(0).attempts()).isEqualTo(1); // a 422 is permanent: not retried
                assertThat(dead.get(0).lastError()).startsWith("permanent: INVALID").contains("scripted 422");
                assertThat(server.countContaining("poison")).isEqualTo(1);

                poisonAnswer.set(201); // the receiver was fixed
                assertThat(admin.replay(poison)).isTrue();
                assertThat(admin.replay(poison)).isFalse(); // no longer dead
                Peers.await(WAIT, "replayed delivery", () -> admin.status().get(0).delivered() == 4);
                assertThat(admin.message(poison).orElseThrow().history()).extracting(MessageEvent::type)
                        .contains(MessageEvent.Type.DEAD, MessageEvent.Type.REPLAYED, MessageEvent.Type.DELIVERED);
                assertThat(admin.purge("fhir", MessageState.DELIVERED, Duration.ZERO)).isEqualTo(4);
                assertThat(admin.status().get(0)).isEqualTo(new DestinationStatus("fhir", 0, 0, 0, 0, Duration.ZERO, 0));
            }
        }
    }

    @Test
    void tooManyAttemptsGoDeadAndRetryableFailuresPauseTheDestination() throws Exception {
        try (ScriptedHttp server = new ScriptedHttp(0, r -> Answer.of(500))) {
            DeliveryQueue queue = queue(server).maxAttempts(3).build();
            DirectFrontend in = DirectFrontend.speaking(Protocol.HTTP);
            try (Pipeline p = Pipeline.builder().name("q").frontend(in).backend(queue).build()) {
                p.start();
                String id = send(in, patient("x")).headers().first(DeliveryQueue.MESSAGE_ID_HEADER).orElseThrow();
                Peers.await(WAIT, "dead", () -> queue.admin().status().get(0).dead() == 1);
                MessageInfo m = queue.admin().message(id).orElseThrow();
                assertThat(m.attempts()).isEqualTo(3);
                assertThat(m.lastError()).startsWith("3 attempts; last: UPSTREAM_UNAVAILABLE");
                assertThat(server.received).hasSize(3);
            }
        }
    }

    @Test
    void theQueueLimitRefusesNewWorkCleanlyWithRetryAfter() throws Exception {
        int nobody = Peers.freePort(); // the destination is down: messages stay pending
        FhirClient client = FhirClient.to(java.net.URI.create("http://127.0.0.1:" + nobody + "/fhir"))
                .retry(Retry.none()).build();
        DeliveryQueue queue = DeliveryQueue.journal(tmp.resolve("queue")).deliverTo("fhir", client)
                .maxMessages(2).maxBytes(1_000_000).minFreeBytes(0).retryAfter(Duration.ofSeconds(7))
                .backoff(Duration.ofSeconds(5), Duration.ofSeconds(5)).build();
        DirectFrontend in = DirectFrontend.speaking(Protocol.HTTP);
        try (Pipeline p = Pipeline.builder().name("q").frontend(in).backend(queue).build()) {
            p.start();
            assertThat(send(in, patient("a")).status()).isEqualTo(202);
            assertThat(send(in, patient("b")).status()).isEqualTo(202);
            Response full = send(in, patient("c"));
            assertThat(full.status()).isEqualTo(503);
            Rejection r = full.rejection().orElseThrow();
            assertThat(r.kind()).isEqualTo(Rejection.Kind.UNAVAILABLE);
            assertThat(r.reason()).contains("queue_full");
            assertThat(r.retryAfter()).contains(Duration.ofSeconds(7));
            assertThat(queue.admin().status().get(0).pending() + queue.admin().status().get(0).inFlight()).isEqualTo(2);
            // Nothing of the refused message was kept.
            try (var files = Files.list(tmp.resolve("queue/fhir/messages"))) {
                assertThat(files.map(f -> f.getFileName().toString()).filter(f -> !f.endsWith(".state")).toList())
                        .hasSize(2).allMatch(f -> f.endsWith(".msg"));
            }
        }
        // A byte limit refuses a body that would not fit, and a disk that is short refuses everything.
        DeliveryQueue small = DeliveryQueue.journal(tmp.resolve("q2")).deliverTo("fhir", client).maxBytes(100)
                .minFreeBytes(0).build();
        DeliveryQueue noDisk = DeliveryQueue.journal(tmp.resolve("q3")).deliverTo("fhir", client)
                .minFreeBytes(Long.MAX_VALUE / 2).build();
        for (DeliveryQueue q : List.of(small, noDisk)) {
            DirectFrontend in2 = DirectFrontend.speaking(Protocol.HTTP);
            try (Pipeline p = Pipeline.builder().name("q").frontend(in2).backend(q).build()) {
                p.start();
                Response refused = send(in2, patient("a".repeat(200)));
                assertThat(refused.rejection().orElseThrow().kind()).isEqualTo(Rejection.Kind.UNAVAILABLE);
                assertThat(refused.rejection().orElseThrow().reason()).contains(q == small ? "queue_full" : "disk_low");
                assertThat(q.admin().status().get(0).pending()).isZero();
            }
        }
    }

    @Test
    void aSenderThatBreaksOffMidBodyGetsAnErrorAndNothingIsKept() throws Exception {
        FhirClient client = FhirClient.to(java.net.URI.create("http://127.0.0.1:" + Peers.freePort() + "/fhir"))
                .retry(Retry.none()).build();
        DeliveryQueue queue = DeliveryQueue.journal(tmp.resolve("queue")).deliverTo("fhir", client).minFreeBytes(0)
                .build();
        queue.start();
        try {
            java.io.InputStream truncated = new java.io.InputStream() {
                private int sent;

                @Override
                public int read() throws java.io.IOException {
                    if (sent++ < 100_000) {
                        return 'x';
                    }
                    throw new java.io.IOException("peer aborted");
                }
            };
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> queue.handle(
                    dev.harmony.message.Request.builder(Protocol.HTTP, "POST").path("/Patient")
                            .body(Body.ofStream(truncated, -1, "application/fhir+json")).build()))
                    .isInstanceOf(java.io.IOException.class).hasMessage("peer aborted");
            assertThat(queue.admin().status().get(0)).isEqualTo(new DestinationStatus("fhir", 0, 0, 0, 0,
                    Duration.ZERO, 0));
            for (String sub : List.of("messages", "tmp")) {
                try (var files = Files.list(tmp.resolve("queue/fhir").resolve(sub))) {
                    assertThat(files.count()).as(sub).isZero();
                }
            }
        } finally {
            queue.stop();
        }
    }

    @Test
    void aRestartOnTheSameDirectoryDeliversWhatWasPending() throws Exception {
        int port = Peers.freePort();
        FhirClient client = FhirClient.to(java.net.URI.create("http://127.0.0.1:" + port + "/fhir"))
                .retry(Retry.none()).connectTimeout(Duration.ofSeconds(1)).build();
        DeliveryQueue first = DeliveryQueue.journal(tmp.resolve("queue")).deliverTo("fhir", client).minFreeBytes(0)
                .backoff(Duration.ofSeconds(30), Duration.ofSeconds(30)).build();
        DirectFrontend in = DirectFrontend.speaking(Protocol.HTTP);
        try (Pipeline p = Pipeline.builder().name("q").frontend(in).backend(first).build()) {
            p.start();
            for (String n : List.of("a", "b", "c")) {
                assertThat(send(in, patient(n)).status()).isEqualTo(202);
            }
        }
        try (ScriptedHttp server = new ScriptedHttp(port, r -> Answer.of(201))) {
            DeliveryQueue second = DeliveryQueue.journal(tmp.resolve("queue")).deliverTo("fhir", client)
                    .minFreeBytes(0).build();
            second.start();
            try {
                Peers.await(WAIT, "delivery after restart", () -> second.admin().status().get(0).delivered() == 3);
                assertThat(server.received).extracting(ScriptedHttp.Received::body)
                        .anySatisfy(b -> assertThat(b).contains("\"a\""))
                        .anySatisfy(b -> assertThat(b).contains("\"b\""))
                        .anySatisfy(b -> assertThat(b).contains("\"c\""));
            } finally {
                second.stop();
            }
        }
    }
}
