package dev.harmony.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.DimseStatus;
import dev.harmony.dicom.backend.DicomForward;
import dev.harmony.dicom.frontend.DicomScp;
import dev.harmony.dicom.scu.DicomClient;
import dev.harmony.pipeline.Pipeline;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DICOM modality -> our SCP -> journal queue -> DicomForward -> DCMTK storescp, with outages and crashes. */
class DicomQueueTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private static String instance(Path file) {
        return file.getFileName().toString().replace(".dcm", "");
    }

    private static Peers.Result storescu(int port, List<Path> files) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("storescu", "-aet", "MODALITY", "-aec", "HARMONY", "127.0.0.1",
                String.valueOf(port)));
        files.forEach(f -> cmd.add(f.toString()));
        return Peers.run(Duration.ofSeconds(60), cmd.toArray(String[]::new));
    }

    @Test
    void objectsAcceptedDuringAPacsOutageAreDeliveredWhenItComesBackAndAPoisonObjectGoesDead() throws Exception {
        List<Path> files = Peers.ctObjects(tmp.resolve("corpus"), 4);
        Path jpeg = tmp.resolve("corpus/jpeg.dcm");
        Peers.Result compress = Peers.run(Duration.ofSeconds(60), "dcmcjpeg", files.get(0).toString(), jpeg.toString());
        assertThat(compress.exitCode()).as(compress.output()).isZero();
        int pacsPort = Peers.freePort();
        // storescp serves one association at a time: release ours soon, or the JPEG one waits behind it.
        DicomForward forward = DicomForward.to(DicomNode.of("PACS", "127.0.0.1", pacsPort))
                .connectTimeout(Duration.ofSeconds(1)).idleRelease(Duration.ofMillis(100)).maxIdleAssociations(0)
                .build();
        DeliveryQueue queue = DeliveryQueue.journal(tmp.resolve("queue")).deliverTo("pacs", forward).minFreeBytes(0)
                .backoff(Duration.ofMillis(50), Duration.ofMillis(300)).build();
        DicomScp scp = DicomScp.port(0).bindAddress("127.0.0.1").build();
        try (Pipeline p = Pipeline.builder().name("queued").frontend(scp).backend(queue).build()) {
            p.start();
            // The PACS is down, yet the modality gets 0000 for every object: they are safe on disk.
            DicomClient modality = DicomClient.callingAe("MODALITY").build();
            List<Path> all = new ArrayList<>(files.subList(1, 4));
            all.add(jpeg); // storescp accepts no JPEG: 0122 from the PACS, a permanent refusal
            assertThat(modality.store(DicomNode.of("HARMONY", "127.0.0.1", scp.localPort()), all))
                    .containsExactly(0, 0, 0, 0);
            QueueAdmin admin = queue.admin();
            Peers.await(WAIT, "a failed attempt", () -> admin.list("pacs", MessageState.PENDING, 10).stream()
                    .anyMatch(m -> m.lastError().contains("UPSTREAM_UNAVAILABLE")));

            try (Peers.StoreScp pacs = new Peers.StoreScp(tmp.resolve("pacs"), pacsPort)) {
                Peers.await(WAIT, "3 delivered and 1 dead", () -> admin.status().get(0).delivered() == 3
                        && admin.status().get(0).dead() == 1);
                for (Path f : files.subList(1, 4)) {
                    assertThat(pacs.has(instance(f))).as(instance(f)).isTrue();
                }
                MessageInfo dead = admin.dead("pacs", 10).get(0);
                assertThat(dead.summary()).contains("C-STORE").contains(instance(files.get(0)));
                assertThat(dead.lastError()).startsWith("permanent: UNSUPPORTED");
                assertThat(pacs.fileCount()).isEqualTo(3);
            }
        }
    }

    @Test
    void aNodeKilledBetweenAcceptingAndDeliveringLosesNothing() throws Exception {
        List<Path> files = Peers.ctObjects(tmp.resolve("corpus"), 5);
        int pacsPort = Peers.freePort(); // nobody listens yet: the node cannot deliver
        Path journal = tmp.resolve("queue");
        try (Forked node = new Forked(tmp.resolve("node.log"), "dicom", journal.toString(), String.valueOf(pacsPort))) {
            int port = Integer.parseInt(node.await("LISTENING "));
            Peers.Result sent = storescu(port, files);
            assertThat(sent.exitCode()).as(sent.output()).isZero(); // every object acknowledged with 0000
            assertThat(sent.output()).doesNotContain("Error").doesNotContain("Failed");
            node.kill();
        }
        try (Peers.StoreScp pacs = new Peers.StoreScp(tmp.resolve("pacs"), pacsPort)) {
            DicomForward forward = DicomForward.to(DicomNode.of("PACS", "127.0.0.1", pacsPort)).build();
            DeliveryQueue restarted = DeliveryQueue.journal(journal).deliverTo("pacs", forward).minFreeBytes(0).build();
            restarted.start();
            try {
                Peers.await(WAIT, "all 5 delivered after the restart",
                        () -> restarted.admin().status().get(0).delivered() == 5);
                for (Path f : files) {
                    assertThat(pacs.has(instance(f))).as(instance(f)).isTrue();
                    assertThat(java.nio.file.Files.size(pacs.dir.resolve("CT." + instance(f))))
                            .isGreaterThanOrEqualTo(4096);
                }
            } finally {
                restarted.stop();
            }
        }
    }

    private static byte[] dataset(Path part10) throws java.io.IOException {
        try (var in = java.nio.file.Files.newInputStream(part10)) {
            return dev.harmony.dicom.internal.file.FileMeta.read(in).dataset().readAllBytes();
        }
    }

    @Test
    void aNodeKilledAfterArchivingAndQueueingByHardLinkLosesNothing() throws Exception {
        List<Path> files = Peers.ctObjects(tmp.resolve("corpus"), 5);
        int pacsPort = Peers.freePort(); // nobody listens yet: the node cannot deliver
        Path journal = tmp.resolve("queue");
        Path archive = tmp.resolve("archive");
        try (Forked node = new Forked(tmp.resolve("node.log"), "archive", journal.toString(), String.valueOf(pacsPort),
                archive.toString())) {
            int port = Integer.parseInt(node.await("LISTENING "));
            Peers.Result sent = storescu(port, files);
            assertThat(sent.exitCode()).as(sent.output()).isZero(); // every object acknowledged with 0000
            node.kill();
        }
        // Each queued body is the archived Part-10 file itself (one inode, two names), not a copy.
        List<Path> bodies;
        try (var listed = java.nio.file.Files.list(journal.resolve("pacs/messages"))) {
            bodies = listed.filter(f -> f.toString().endsWith(".body")).toList();
        }
        assertThat(bodies).hasSize(5).allSatisfy(b -> assertThat(java.nio.file.Files.getAttribute(b, "unix:nlink"))
                .isEqualTo(2));
        try (Peers.StoreScp pacs = new Peers.StoreScp(tmp.resolve("pacs"), pacsPort)) {
            DicomForward forward = DicomForward.to(DicomNode.of("PACS", "127.0.0.1", pacsPort)).build();
            DeliveryQueue restarted = DeliveryQueue.journal(journal).deliverTo("pacs", forward).minFreeBytes(0).build();
            restarted.start();
            try {
                Peers.await(WAIT, "all 5 delivered after the restart",
                        () -> restarted.admin().status().get(0).delivered() == 5);
                for (Path f : files) {
                    assertThat(pacs.has(instance(f))).as(instance(f)).isTrue();
                    // what the PACS got is the data set as sent, byte for byte (its file meta is its own)
                    assertThat(dataset(pacs.dir.resolve("CT." + instance(f)))).isEqualTo(dataset(f));
                }
            } finally {
                restarted.stop();
            }
        }
        // the archive keeps every file; the journal's links are gone after delivery
        try (var walk = java.nio.file.Files.walk(archive)) {
            List<Path> kept = walk.filter(p -> p.toString().endsWith(".dcm")).toList();
            assertThat(kept).hasSize(5).allSatisfy(k -> assertThat(java.nio.file.Files.getAttribute(k, "unix:nlink"))
                    .isEqualTo(1));
        }
    }

    @Test
    void aFullQueueAnswersOutOfResources() throws Exception {
        List<Path> files = Peers.ctObjects(tmp.resolve("corpus"), 2);
        DicomForward forward = DicomForward.to(DicomNode.of("PACS", "127.0.0.1", Peers.freePort()))
                .connectTimeout(Duration.ofSeconds(1)).build();
        DeliveryQueue queue = DeliveryQueue.journal(tmp.resolve("queue")).deliverTo("pacs", forward).minFreeBytes(0)
                .maxMessages(1).backoff(Duration.ofSeconds(10), Duration.ofSeconds(10)).build();
        DicomScp scp = DicomScp.port(0).bindAddress("127.0.0.1").build();
        try (Pipeline p = Pipeline.builder().name("queued").frontend(scp).backend(queue).build()) {
            p.start();
            DicomClient modality = DicomClient.callingAe("MODALITY").build();
            assertThat(modality.store(DicomNode.of("HARMONY", "127.0.0.1", scp.localPort()), files))
                    .containsExactly(DimseStatus.SUCCESS, DimseStatus.OUT_OF_RESOURCES);
            // The association and the listener keep working: the next sender gets a clear answer too.
            assertThat(modality.store(DicomNode.of("HARMONY", "127.0.0.1", scp.localPort()), files.subList(1, 2)))
                    .containsExactly(DimseStatus.OUT_OF_RESOURCES);
        }
    }
}
