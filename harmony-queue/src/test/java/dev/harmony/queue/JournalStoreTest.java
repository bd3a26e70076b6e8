package dev.harmony.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.harmony.message.Body;
import dev.harmony.message.Protocol;
import dev.harmony.message.Request;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal's files on a real file system: what a crash at each step leaves, and what a start makes of it. */
class JournalStoreTest {
    @TempDir
    Path tmp;

    private static StoredRequest request(String id, String body) {
        Request r = Request.builder(Protocol.HTTP, "POST").path("/Patient").query("a=1").header("X-Trace", "t1")
                .header("Authorization", "Bearer secret").body(Body.ofText(body, "application/json")).build();
        return StoredRequest.of(id, "d", Instant.now(), r, Codecs.defaultsPlus(List.of()), Set.of("authorization"));
    }

    private static void accept(JournalStore s, String id, String body) throws Exception {
        s.accept(request(id, body), new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)), Long.MAX_VALUE);
    }

    @Test
    void anAttemptInFlightWhenTheProcessDiesIsPendingAgainAfterTheRestart() throws Exception {
        JournalStore s = new JournalStore(tmp, "d", false);
        s.open();
        accept(s, "m1", "{\"a\":1}");
        Store.Claim claim = s.claim("worker", Duration.ofSeconds(1), Instant.now()).orElseThrow();
        assertThat(claim.progress().attempts()).isEqualTo(1);
        Request back = claim.request().toRequest(claim.bodyFile(), Codecs.defaultsPlus(List.of()));
        assertThat(back.body().text()).isEqualTo("{\"a\":1}");
        assertThat(back.query()).isEqualTo("a=1");
        assertThat(back.headers().first("X-Trace")).contains("t1");
        assertThat(back.headers().contains("Authorization")).isFalse();
        s.close(); // as if the process died here: no finish

        JournalStore again = new JournalStore(tmp, "d", false);
        again.open();
        MessageInfo m = again.get("m1").orElseThrow();
        assertThat(m.state()).isEqualTo(MessageState.PENDING);
        assertThat(m.attempts()).isEqualTo(1);
        assertThat(m.history()).extracting(MessageEvent::type).containsExactly(MessageEvent.Type.ACCEPTED,
                MessageEvent.Type.ATTEMPT, MessageEvent.Type.RECOVERED);
        assertThat(again.claim("w", Duration.ofSeconds(1), Instant.now())).isPresent();
        again.close();
    }

    @Test
    void halfWrittenAcceptsAreRemovedAndNeverBecomeMessages() throws Exception {
        JournalStore s = new JournalStore(tmp, "d", false);
        s.open();
        accept(s, "kept", "{}");
        s.close();
        Path messages = tmp.resolve("d/messages");
        // A crash after the body and meta were renamed but before the state file was: no message.
        Files.writeString(messages.resolve("half.body"), "x");
        Files.write(messages.resolve("half.meta"), request("half", "x").toJson());
        Files.writeString(tmp.resolve("d/tmp/other.body"), "never renamed");

        JournalStore again = new JournalStore(tmp, "d", false);
        again.open();
        assertThat(again.status(Instant.now()).pending()).isEqualTo(1);
        assertThat(again.get("half")).isEmpty();
        assertThat(Files.exists(messages.resolve("half.body"))).isFalse();
        assertThat(Files.exists(messages.resolve("half.meta"))).isFalse();
        try (var left = Files.list(tmp.resolve("d/tmp"))) {
            assertThat(left.count()).isZero();
        }
        again.close();
    }

    @Test
    void aJournalInUseCanBeReadButNotChangedFromOutside() throws Exception {
        JournalStore owner = new JournalStore(tmp, "d", false);
        owner.open();
        accept(owner, "m1", "{}");
        try {
            assertThatThrownBy(() -> new JournalStore(tmp, "d", false).open())
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("in use");
            try (QueueAdmin admin = QueueAdmin.journal(tmp)) {
                assertThat(admin.status()).extracting(DestinationStatus::pending).containsExactly(1L);
                assertThat(admin.list("d", MessageState.PENDING, 10)).extracting(MessageInfo::summary)
                        .containsExactly("HTTP POST /Patient?a=1");
                assertThatThrownBy(() -> admin.purge("d", MessageState.DEAD, Duration.ZERO))
                        .isInstanceOf(IllegalStateException.class).hasMessageContaining("read-only");
                assertThatThrownBy(() -> admin.purge("d", MessageState.PENDING, Duration.ZERO))
                        .isInstanceOf(IllegalArgumentException.class);
            }
        } finally {
            owner.close();
        }
        try (QueueAdmin admin = QueueAdmin.journal(tmp)) { // stopped: now it may change it
            assertThat(admin.purge("d", MessageState.DEAD, Duration.ZERO)).isZero();
        }
    }
}
