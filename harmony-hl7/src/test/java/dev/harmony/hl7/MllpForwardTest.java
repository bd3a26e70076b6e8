package dev.harmony.hl7;

import static dev.harmony.hl7.Downstream.ack;
import static dev.harmony.hl7.Downstream.controlId;
import static dev.harmony.hl7.RawMllp.adt;
import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.hl7.backend.MllpForward;
import dev.harmony.message.Body;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Rejection;
import dev.harmony.queue.DeliveryQueue;
import dev.harmony.queue.QueueAdmin;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MllpForward against a raw-socket downstream: late and wrong ACKs, AE, AR, silence, refusal; retries via the queue. */
class MllpForwardTest {
    private static Request message(String id) {
        return Request.builder(Hl7.MLLP, "ADT^A01").body(Body.ofText(adt(id), Hl7.ER7)).build();
    }

    private static MllpForward to(Downstream d, Duration ackTimeout) {
        return MllpForward.to("127.0.0.1", d.port()).ackTimeout(ackTimeout).build();
    }

    @Test
    void anAaIsSuccessAndTheConnectionIsKept() throws Exception {
        try (Downstream d = new Downstream((c, m) -> List.of(ack("AA", controlId(m))))) {
            MllpForward forward = to(d, Duration.ofSeconds(10));
            Response r1 = forward.handle(message("F1"));
            Response r2 = forward.handle(message("F2"));
            assertThat(r1.isSuccess()).isTrue();
            assertThat(r1.body().text()).contains("MSA|AA|F1");
            assertThat(r2.body().text()).contains("MSA|AA|F2");
            assertThat(d.connections()).isEqualTo(1);
            forward.stop();
        }
    }

    @Test
    void anAckWithTheWrongMsa2NeverCounts() throws Exception {
        // the peer first answers for another message (an old one), then for this one
        try (Downstream d = new Downstream((c, m) -> List.of(ack("AA", "OLD-1"), ack("AE", "OLD-2"),
                "not an ack at all", ack("AA", controlId(m))))) {
            MllpForward forward = to(d, Duration.ofSeconds(10));
            Response r = forward.handle(message("W1"));
            assertThat(r.isSuccess()).as(r.toString()).isTrue();
            assertThat(r.body().text()).contains("MSA|AA|W1");
            forward.stop();
        }
    }

    @Test
    void aLateAckIsNeverTakenForTheNextMessage() throws Exception {
        // connection 1 never answers L1 in time; the ACK for L1 then arrives first on connection 2
        Set<String> seen = ConcurrentHashMap.newKeySet();
        try (Downstream d = new Downstream((c, m) -> {
            seen.add(controlId(m));
            return c == 1 ? List.of() : List.of(ack("AA", "L1"), ack("AE", controlId(m)));
        })) {
            MllpForward forward = to(d, Duration.ofMillis(300));
            Response first = forward.handle(message("L1"));
            assertThat(first.rejection()).map(Rejection::kind).contains(Rejection.Kind.UPSTREAM_TIMEOUT);
            assertThat(d.awaitClosed(1)).as("the timed-out connection is closed").isTrue();
            Response second = forward.handle(message("L2"));
            // L2's own answer (AE) counts, not the stale AA for L1
            assertThat(second.rejection()).map(Rejection::kind).contains(Rejection.Kind.INVALID);
            assertThat(d.connections()).isEqualTo(2);
            assertThat(seen).containsExactlyInAnyOrder("L1", "L2");
            forward.stop();
        }
    }

    @Test
    void aeAndArAreRejectionsTheQueueDoesNotRetry() throws Exception {
        try (Downstream d = new Downstream((c, m) -> List.of(ack(controlId(m).startsWith("E") ? "AE" : "AR",
                controlId(m))))) {
            MllpForward forward = to(d, Duration.ofSeconds(10));
            Rejection ae = forward.handle(message("E1")).rejection().orElseThrow();
            Rejection ar = forward.handle(message("R1")).rejection().orElseThrow();
            assertThat(ae.kind()).isEqualTo(Rejection.Kind.INVALID);
            assertThat(ae.reason()).contains("AE");
            assertThat(ar.kind()).isEqualTo(Rejection.Kind.UNSUPPORTED);
            assertThat(DeliveryQueue.isRetryable(ae.kind())).isFalse();
            assertThat(DeliveryQueue.isRetryable(ar.kind())).isFalse();
            forward.stop();
        }
    }

    @Test
    void silenceAndRefusalAreRetryable() throws Exception {
        try (Downstream d = new Downstream((c, m) -> List.of())) {
            Rejection silence = to(d, Duration.ofMillis(200)).handle(message("S1")).rejection().orElseThrow();
            assertThat(silence.kind()).isEqualTo(Rejection.Kind.UPSTREAM_TIMEOUT);
            assertThat(DeliveryQueue.isRetryable(silence.kind())).isTrue();
            assertThat(d.awaitClosed(1)).isTrue();
        }
        int free;
        try (ServerSocket s = new ServerSocket(0)) {
            free = s.getLocalPort();
        }
        Rejection refused = MllpForward.to("127.0.0.1", free).build().handle(message("S2")).rejection().orElseThrow();
        assertThat(refused.kind()).isEqualTo(Rejection.Kind.UPSTREAM_UNAVAILABLE);
        assertThat(DeliveryQueue.isRetryable(refused.kind())).isTrue();
    }

    @Test
    void throughTheQueueATimeoutIsRetriedAndAnAeGoesDead(@TempDir Path dir) throws Exception {
        // Q1: silent on the first attempt, AA on the second; Q2: AE every time
        try (Downstream d = new Downstream((c, m) -> {
            String id = controlId(m);
            if (id.equals("Q2")) {
                return List.of(ack("AE", id));
            }
            return c == 1 ? List.of() : List.of(ack("AA", id));
        })) {
            DeliveryQueue queue = DeliveryQueue.journal(dir)
                    .deliverTo("lab", MllpForward.to("127.0.0.1", d.port()).ackTimeout(Duration.ofMillis(300)).build())
                    .backoff(Duration.ofMillis(20), Duration.ofMillis(100)).workers(1).build();
            queue.start();
            try {
                assertThat(queue.handle(message("Q1")).isSuccess()).isTrue();
                QueueAdmin admin = queue.admin();
                await("Q1 delivered", () -> admin.status().get(0).delivered() == 1);
                assertThat(queue.handle(message("Q2")).isSuccess()).isTrue();
                await("Q2 dead", () -> admin.status().get(0).dead() == 1);
                assertThat(admin.dead("lab", 10).get(0).attempts()).isEqualTo(1);
                assertThat(d.received).extracting(Downstream.Received::message).extracting(Downstream::controlId)
                        .containsExactly("Q1", "Q1", "Q2");
            } finally {
                queue.stop();
            }
        }
    }

    @Test
    void aDownstreamThatStopsReadingTimesOutInsteadOfHoldingTheSender() throws Exception {
        try (ServerSocket stalled = new ServerSocket()) {
            stalled.setReceiveBufferSize(1024); // never accepts, never reads a byte
            stalled.bind(new java.net.InetSocketAddress("127.0.0.1", 0));
            MllpForward forward = MllpForward.to("127.0.0.1", stalled.getLocalPort())
                    .ackTimeout(Duration.ofMillis(500)).build();
            // far more than the socket buffers hold: the write blocks until the downstream reads
            Request big = Request.builder(Hl7.MLLP, "ADT^A01").body(Body.ofText(adt("BIG") + "NTE|1||"
                    + "x".repeat(16 << 20) + "\r", Hl7.ER7)).build();
            java.util.concurrent.CompletableFuture<Response> sent = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> {
                        try {
                            return forward.handle(big);
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
            Response r = sent.get(20, TimeUnit.SECONDS); // without a bound on the write: blocked for good
            assertThat(r.rejection()).map(Rejection::kind).contains(Rejection.Kind.UPSTREAM_TIMEOUT);
            forward.stop();
        }
    }

    @Test
    void buildChecksOptions() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MllpForward.to("", 1).build())
                .hasMessageContaining("MllpForward.to");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MllpForward.to("h", 1).ackTimeout(Duration.ZERO)
                .build()).hasMessageContaining("MllpForward.ackTimeout");
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            TimeUnit.MILLISECONDS.sleep(10); // polling a condition with a deadline, not timing the outcome
        }
    }
}
