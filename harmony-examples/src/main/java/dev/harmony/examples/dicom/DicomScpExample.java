package dev.harmony.examples.dicom;

import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.backend.DicomFileStore;
import dev.harmony.dicom.backend.DicomForward;
import dev.harmony.dicom.backend.PacsProxy;
import dev.harmony.dicom.backend.StoreAndForward;
import dev.harmony.dicom.frontend.DicomScp;
import dev.harmony.dicom.middleware.AeTitleCheck;
import dev.harmony.dicom.query.DicomIndex;
import dev.harmony.pipeline.Backend;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.queue.DeliveryQueue;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Seed pipeline 1: Modality (CT scanner) -> DICOM Listener -> AE Title Check -> File Adapter (and,
 * optionally, forwarding each stored object to a PACS). The file adapter indexes what it stores and
 * answers C-FIND (Patient Root and Study Root) from that index.
 */
public final class DicomScpExample {
    /** The port DICOM listeners use by convention. */
    public static final int DEFAULT_PORT = 11112;
    /** The queue's name for the PACS, as {@code queue status} shows it. */
    public static final String QUEUE_DESTINATION = "pacs";

    private DicomScpExample() {
    }

    /**
     * What the example can be told.
     *
     * @param bind address to listen on, e.g. {@code 0.0.0.0} (all interfaces) or {@code 127.0.0.1}
     * @param port listener port (0 = any free port)
     * @param aeTitle our AE title
     * @param allowedCallingAes calling AE titles to admit; empty admits any
     * @param dir root directory of the stored files
     * @param forwardTo a PACS to forward every stored object to, or null
     * @param queue where forwarded objects wait for the PACS (a journal directory or PostgreSQL), or
     *        null to forward synchronously (the modality waits for the PACS's answer)
     */
    public record Options(String bind, int port, String aeTitle, List<String> allowedCallingAes, Path dir, DicomNode forwardTo,
            DeliveryQueue.Location queue) {
        public Options {
            allowedCallingAes = List.copyOf(allowedCallingAes);
            Objects.requireNonNull(bind, "bind");
            Objects.requireNonNull(dir, "dir");
        }

        /** Forwarding (if any) synchronously, without a queue. */
        public Options(String bind, int port, String aeTitle, List<String> allowedCallingAes, Path dir, DicomNode forwardTo) {
            this(bind, port, aeTitle, allowedCallingAes, dir, forwardTo, null);
        }

        /** Listening on all interfaces. */
        public Options(int port, String aeTitle, List<String> allowedCallingAes, Path dir, DicomNode forwardTo) {
            this("0.0.0.0", port, aeTitle, allowedCallingAes, dir, forwardTo);
        }

        /** All interfaces, port 11112, AE {@code HARMONY}, any calling AE, {@code ./harmony-data/dicom}, no forwarding. */
        public static Options defaults() {
            return new Options("0.0.0.0", DEFAULT_PORT, "HARMONY", List.of(), Path.of("harmony-data", "dicom"), null);
        }
    }

    /** The example with its defaults (built, not started). */
    public static Pipeline pipeline() {
        return pipeline(Options.defaults());
    }

    /**
     * The example pipeline (built, not started), answering C-FIND, C-MOVE and C-GET from an embedded index
     * under {@code DIR/.index}.
     */
    public static Pipeline pipeline(Options o) {
        return pipeline(o, null, UnaryOperator.identity());
    }

    /**
     * The example pipeline with more listener settings (private SOP classes, TLS, user identity, C-MOVE
     * destinations) applied by {@code listener} to the listener's builder after the options above.
     */
    public static Pipeline pipeline(Options o, UnaryOperator<DicomScp.Builder> listener) {
        return pipeline(o, null, listener);
    }

    /**
     * The example pipeline answering C-FIND, C-MOVE and C-GET from {@code index} (e.g. a shared PostgreSQL one),
     * or from an embedded index under {@code DIR/.index} if null, with {@code listener} as above.
     */
    public static Pipeline pipeline(Options o, DicomIndex index, UnaryOperator<DicomScp.Builder> listener) {
        return pipeline(o, index, null, listener);
    }

    /**
     * The example pipeline as above, but with {@code queryPacs} (if not null) answering C-FIND, C-MOVE and
     * C-GET through a {@link PacsProxy}: C-STORE still goes to the files (and on to {@code forwardTo}).
     */
    public static Pipeline pipeline(Options o, DicomIndex index, DicomNode queryPacs,
            UnaryOperator<DicomScp.Builder> listener) {
        return pipeline(o, index, queryPacs, List.of(), listener);
    }

    /**
     * The example pipeline as above; with {@code fetchTo} not empty, the {@link PacsProxy} retrieves what
     * a C-MOVE asks for from {@code queryPacs} itself and sends it on to the named destination, one of
     * {@code fetchTo}, through a {@link DicomForward} (so {@code queryPacs} needs to know no destination).
     */
    public static Pipeline pipeline(Options o, DicomIndex index, DicomNode queryPacs, List<DicomNode> fetchTo,
            UnaryOperator<DicomScp.Builder> listener) {
        DicomFileStore files = queryPacs != null ? DicomFileStore.under(o.dir()).build()
                : index == null ? DicomFileStore.under(o.dir()).indexed().build()
                : DicomFileStore.under(o.dir()).index(index).build();
        Backend backend = files;
        if (o.forwardTo() != null) {
            DicomForward forward = DicomForward.to(o.forwardTo()).callingAe(o.aeTitle()).build();
            // Queued: the modality gets 0000 once the object is durable on disk; the PACS gets it when it can.
            backend = o.queue() == null ? StoreAndForward.of(files, forward).build()
                    : StoreAndForward.of(files, o.queue().deliverTo(QUEUE_DESTINATION, forward).build()).build();
        }
        if (queryPacs != null) {
            PacsProxy.Builder proxy = PacsProxy.to(queryPacs).callingAe(o.aeTitle()).otherwise(backend);
            if (!fetchTo.isEmpty()) {
                java.util.Map<String, Backend> destinations = new java.util.LinkedHashMap<>();
                for (DicomNode d : fetchTo) {
                    destinations.put(d.aeTitle(), DicomForward.to(d).callingAe(o.aeTitle()).build());
                }
                proxy.retrieveAndSend(destinations);
            }
            backend = proxy.build();
        }
        var builder = Pipeline.builder()
                .name("dicom-scp")
                .source("Modality", "CT Scanner")
                .frontend(listener.apply(DicomScp.port(o.port()).bindAddress(o.bind()).aeTitle(o.aeTitle())).build())
                .use((o.allowedCallingAes().isEmpty() ? AeTitleCheck.anyCallingAe() : AeTitleCheck.allow(o.allowedCallingAes())).build())
                .backend(backend)
                .listener(new ObjectLog());
        if (queryPacs != null) {
            builder.target("PACS (queries)", queryPacs.toString());
        }
        if (o.forwardTo() != null) {
            builder.target("PACS Archive", o.forwardTo().toString());
        }
        return builder.target("File System", o.dir().toString()).build();
    }
}
