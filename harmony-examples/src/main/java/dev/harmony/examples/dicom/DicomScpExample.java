package dev.harmony.examples.dicom;

import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.backend.DicomFileStore;
import dev.harmony.dicom.backend.DicomForward;
import dev.harmony.dicom.backend.StoreAndForward;
import dev.harmony.dicom.frontend.DicomScp;
import dev.harmony.dicom.middleware.AeTitleCheck;
import dev.harmony.pipeline.Backend;
import dev.harmony.pipeline.Pipeline;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Seed pipeline 1: Modality (CT scanner) -> DICOM Listener -> AE Title Check -> File Adapter (and,
 * optionally, forwarding each stored object to a PACS).
 */
public final class DicomScpExample {
    /** The port DICOM listeners use by convention. */
    public static final int DEFAULT_PORT = 11112;

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
     */
    public record Options(String bind, int port, String aeTitle, List<String> allowedCallingAes, Path dir, DicomNode forwardTo) {
        public Options {
            allowedCallingAes = List.copyOf(allowedCallingAes);
            Objects.requireNonNull(bind, "bind");
            Objects.requireNonNull(dir, "dir");
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

    /** The example pipeline (built, not started). */
    public static Pipeline pipeline(Options o) {
        DicomFileStore files = DicomFileStore.under(o.dir());
        Backend backend = o.forwardTo() == null ? files
                : StoreAndForward.of(files, DicomForward.to(o.forwardTo()).callingAe(o.aeTitle()).build());
        var builder = Pipeline.builder()
                .name("dicom-scp")
                .source("Modality", "CT Scanner")
                .frontend(DicomScp.port(o.port()).bindAddress(o.bind()).aeTitle(o.aeTitle()).build())
                .use(o.allowedCallingAes().isEmpty() ? AeTitleCheck.anyCallingAe() : AeTitleCheck.allow(o.allowedCallingAes()))
                .backend(backend)
                .listener(new ObjectLog());
        if (o.forwardTo() != null) {
            builder.target("PACS Archive", o.forwardTo().toString());
        }
        return builder.target("File System", o.dir().toString()).build();
    }
}
