package dev.harmony.queue;

import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.backend.DicomFileStore;
import dev.harmony.dicom.backend.DicomForward;
import dev.harmony.dicom.backend.StoreAndForward;
import dev.harmony.dicom.frontend.DicomScp;
import dev.harmony.fhir.backend.FhirClient;
import dev.harmony.fhir.backend.Retry;
import dev.harmony.message.Body;
import dev.harmony.message.Protocol;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Pipeline;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A Harmony node in its own JVM, for the crash tests (they kill it with SIGKILL).
 *
 * <pre>
 *   dicom JOURNAL_DIR PACS_PORT            a DICOM listener queueing to a PACS; prints "LISTENING port"
 *   archive JOURNAL_DIR PACS_PORT ARCHIVE  the same, storing Part-10 files first (the queue links them)
 *   postgres JDBC_URL NODE HTTP_BASE COUNT accepts COUNT FHIR messages, prints "ACCEPTED id" each, then delivers
 * </pre>
 */
public final class QueueNode {
    private QueueNode() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "dicom" -> dicom(Path.of(args[1]), Integer.parseInt(args[2]), null);
            case "archive" -> dicom(Path.of(args[1]), Integer.parseInt(args[2]), Path.of(args[3]));
            case "postgres" -> postgres(args[1], args[2], URI.create(args[3]), Integer.parseInt(args[4]));
            default -> throw new IllegalArgumentException(args[0]);
        }
        Thread.sleep(Long.MAX_VALUE); // until killed
    }

    private static void dicom(Path dir, int pacsPort, Path archive) throws Exception {
        DicomForward forward = DicomForward.to(DicomNode.of("PACS", "127.0.0.1", pacsPort))
                .connectTimeout(Duration.ofSeconds(1)).build();
        DeliveryQueue queue = DeliveryQueue.journal(dir).deliverTo("pacs", forward).minFreeBytes(0)
                .backoff(Duration.ofSeconds(30), Duration.ofSeconds(30)).build();
        DicomScp scp = DicomScp.port(0).bindAddress("127.0.0.1").build();
        Pipeline p = Pipeline.builder().name("node").frontend(scp).backend(archive == null ? queue
                : StoreAndForward.of(DicomFileStore.under(archive).build(), queue).build()).build();
        p.start();
        System.out.println("LISTENING " + scp.localPort());
        System.out.flush();
    }

    private static void postgres(String url, String node, URI base, int count) throws Exception {
        FhirClient client = FhirClient.to(base).retry(Retry.none()).build();
        DeliveryQueue queue = DeliveryQueue.postgres(url).deliverTo("fhir", client).nodeId(node)
                .lease(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(100)).minFreeBytes(0).build();
        queue.start();
        for (int i = 1; i <= count; i++) {
            Response r = queue.handle(Request.builder(Protocol.HTTP, "POST").path("/Patient")
                    .body(Body.ofText(PostgresQueueTest.patient("p" + i), "application/fhir+json")).build());
            System.out.println("ACCEPTED " + r.headers().first(DeliveryQueue.MESSAGE_ID_HEADER).orElseThrow());
            System.out.flush();
        }
    }
}
