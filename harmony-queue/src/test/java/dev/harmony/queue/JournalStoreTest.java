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
        // A crash after the body was renamed but before the meta (the commit point) was: no message.
        Files.writeString(messages.resolve("half.body"), "x");
        Files.writeString(tmp.resolve("d/tmp/half.meta"), "{\"id\":\"hal");
        Files.writeString(tmp.resolve("d/tmp/other.body"), "never renamed");
        Files.writeString(tmp.resolve("d/tmp/torn.msg"), "HQMSG01\n"); // written, not yet synced and renamed
        Files.writeString(messages.resolve("purged.state"), "{}"); // a purge that deleted only the meta

        JournalStore again = new JournalStore(tmp, "d", false);
        again.open();
        assertThat(again.status(Instant.now()).pending()).isEqualTo(1);
        assertThat(again.get("half")).isEmpty();
        assertThat(Files.exists(messages.resolve("half.body"))).isFalse();
        assertThat(Files.exists(messages.resolve("half.meta"))).isFalse();
        assertThat(Files.exists(messages.resolve("purged.state"))).isFalse();
        try (var left = Files.list(tmp.resolve("d/tmp"))) {
            assertThat(left.count()).isZero();
        }
        again.close();
    }

    @Test
    void stateWritesLostToAnOsCrashFallBackToWhatIsDurable() throws Exception {
        JournalStore s = new JournalStore(tmp, "d", false);
        s.open();
        Path messages = tmp.resolve("d/messages");
        accept(s, "torn", "{\"t\":1}");
        Instant now = Instant.now();
        Store.Claim torn = s.claim("w", Duration.ofSeconds(1), Instant.now()).orElseThrow();
        accept(s, "done", "{\"d\":2}");
        Store.Claim done = s.claim("w", Duration.ofSeconds(1), Instant.now()).orElseThrow();
        accept(s, "never", "{\"n\":0}");
        // Accepting writes no state file: the meta is the commit point, no state means pending.
        assertThat(Files.exists(messages.resolve("never.state"))).isFalse();
        assertThat(List.of(torn.id(), done.id())).containsExactly("torn", "done");
        assertThat(s.finish(done, "w", done.progress().next(MessageState.DELIVERED, 1, now,
                new MessageEvent(now, MessageEvent.Type.DELIVERED, "201")), Duration.ZERO)).isTrue();
        s.close();
        // What an OS crash may leave of writes that were not fsynced: a torn state file, and a deleted
        // body whose DELIVERED state did not reach the disk.
        Files.writeString(messages.resolve(torn.id() + ".state"), "{\"state\":\"IN_FL");
        Files.writeString(messages.resolve(done.id() + ".state"), new String(Progress.accepted(now).toJson(),
                StandardCharsets.UTF_8));

        JournalStore again = new JournalStore(tmp, "d", false);
        again.open();
        assertThat(again.get("never").orElseThrow().state()).isEqualTo(MessageState.PENDING);
        MessageInfo t = again.get(torn.id()).orElseThrow();
        assertThat(t.state()).isEqualTo(MessageState.PENDING); // delivered again: at-least-once
        assertThat(t.history()).extracting(MessageEvent::type).containsExactly(MessageEvent.Type.ACCEPTED,
                MessageEvent.Type.RECOVERED);
        MessageInfo d = again.get(done.id()).orElseThrow();
        assertThat(d.state()).isEqualTo(MessageState.DELIVERED); // its body is gone: it was delivered
        assertThat(again.status(Instant.now()).pending()).isEqualTo(2);
        Set<String> claimed = new java.util.HashSet<>();
        again.claim("w", Duration.ofSeconds(1), Instant.now()).ifPresent(c -> claimed.add(c.id()));
        again.claim("w", Duration.ofSeconds(1), Instant.now()).ifPresent(c -> claimed.add(c.id()));
        assertThat(claimed).containsExactlyInAnyOrder("never", torn.id());
        again.close();
    }

    @Test
    void aBodyAlreadyDurableOnDiskIsHardLinkedNotCopiedAndSurvivesACrash() throws Exception {
        Path archive = Files.createDirectories(tmp.resolve("archive")).resolve("obj.dcm");
        byte[] header = "PART-10 HEADER|".getBytes(StandardCharsets.UTF_8);
        byte[] dataset = "the data set".getBytes(StandardCharsets.UTF_8);
        Files.write(archive, java.nio.ByteBuffer.allocate(header.length + dataset.length).put(header).put(dataset)
                .array());
        JournalStore s = new JournalStore(tmp.resolve("q"), "d", false);
        s.open();
        s.acceptFile(request("linked", ""), archive, header.length, Long.MAX_VALUE);
        Path body = tmp.resolve("q/d/messages/linked.body");
        assertThat(Files.isSameFile(body, archive)).as("one file, two names: nothing copied").isTrue();
        assertThat(Files.getAttribute(archive, "unix:nlink")).isEqualTo(2);
        assertThat(s.usage().bytes()).isEqualTo(header.length + dataset.length);
        s.close(); // as if the process died right after the accept was answered

        JournalStore again = new JournalStore(tmp.resolve("q"), "d", false);
        again.open();
        Store.Claim claim = again.claim("w", Duration.ofSeconds(1), Instant.now()).orElseThrow();
        Request back = claim.request().toRequest(claim.bodyFile(), Codecs.defaultsPlus(List.of()));
        assertThat(back.body().length()).isEqualTo(dataset.length);
        assertThat(back.body().text()).isEqualTo("the data set"); // from the data set on, not the header
        Instant now = Instant.now();
        assertThat(again.finish(claim, "w", claim.progress().next(MessageState.DELIVERED, 1, now,
                new MessageEvent(now, MessageEvent.Type.DELIVERED, "0000")), Duration.ZERO)).isTrue();
        assertThat(Files.exists(body)).isFalse();
        assertThat(Files.readAllBytes(archive)).hasSize(header.length + dataset.length); // the archive keeps its file
        assertThat(Files.getAttribute(archive, "unix:nlink")).isEqualTo(1);
        again.close();
        // a restart after the delivery knows it as delivered: the link is gone
        JournalStore third = new JournalStore(tmp.resolve("q"), "d", false);
        third.open();
        assertThat(third.get("linked").orElseThrow().state()).isEqualTo(MessageState.DELIVERED);
        third.close();
    }

    @Test
    void aLinkWithoutItsMetaIsAnOrphanAfterACrash() throws Exception {
        Path archive = Files.writeString(tmp.resolve("obj.dcm"), "whole file");
        JournalStore s = new JournalStore(tmp.resolve("q"), "d", false);
        s.open();
        s.close();
        Files.createLink(tmp.resolve("q/d/messages/half.body"), archive); // linked, meta never committed
        Files.writeString(tmp.resolve("q/d/tmp/half.meta"), "{\"v\":1");
        JournalStore again = new JournalStore(tmp.resolve("q"), "d", false);
        again.open();
        assertThat(again.get("half")).isEmpty();
        assertThat(Files.exists(tmp.resolve("q/d/messages/half.body"))).isFalse();
        assertThat(Files.readString(archive)).isEqualTo("whole file"); // only the journal's name was removed
        again.close();
    }

    @Test
    void aJournalInTheEarlierLayoutOfBodyAndMetaFilesIsStillRead() throws Exception {
        Path messages = Files.createDirectories(tmp.resolve("old/d/messages"));
        Files.writeString(messages.resolve("m0.body"), "{\"old\":true}");
        Files.write(messages.resolve("m0.meta"), request("m0", "").toJson());
        JournalStore s = new JournalStore(tmp.resolve("old"), "d", false);
        s.open();
        assertThat(s.status(Instant.now()).pending()).isEqualTo(1);
        Store.Claim claim = s.claim("w", Duration.ofSeconds(1), Instant.now()).orElseThrow();
        assertThat(claim.request().toRequest(claim.bodyFile(), Codecs.defaultsPlus(List.of())).body().text())
                .isEqualTo("{\"old\":true}");
        Instant now = Instant.now();
        s.finish(claim, "w", claim.progress().next(MessageState.DELIVERED, 1, now,
                new MessageEvent(now, MessageEvent.Type.DELIVERED, "201")), Duration.ZERO);
        assertThat(Files.exists(messages.resolve("m0.body"))).isFalse();
        assertThat(s.get("m0").orElseThrow().state()).isEqualTo(MessageState.DELIVERED);
        s.close();
    }

    @Test
    void concurrentAcceptsSharingDirectorySyncsAreAllThereAfterARestart() throws Exception {
        JournalStore s = new JournalStore(tmp, "d", false);
        s.open();
        int threads = 8;
        int each = 25;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        accept(s, "m" + thread + "-" + i, "{\"t\":" + thread + ",\"i\":" + i + "}");
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        s.close();
        JournalStore again = new JournalStore(tmp, "d", false);
        again.open();
        assertThat(again.status(Instant.now()).pending()).isEqualTo((long) threads * each);
        Store.Claim c = again.claim("w", Duration.ofSeconds(1), Instant.now()).orElseThrow();
        assertThat(c.request().toRequest(c.bodyFile(), Codecs.defaultsPlus(List.of())).body().text())
                .startsWith("{\"t\":");
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
