package dev.harmony.examples.mllpfhir;

import dev.harmony.examples.Samples;
import dev.harmony.fhir.backend.FhirAuth;
import dev.harmony.fhir.server.EmbeddedFhirServer;
import dev.harmony.hl7.frontend.MllpListener;
import dev.harmony.pipeline.Pipeline;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The running example as the {@code mllp-fhir} command starts it: the pipeline, plus an embedded FHIR
 * store when no FHIR base is given. {@link #close()} stops both.
 */
public final class MllpFhirServer implements AutoCloseable {
    private final Pipeline pipeline;
    private final EmbeddedFhirServer store;
    private final URI fhirBase;
    private final Path sampleFile;

    private MllpFhirServer(Pipeline pipeline, EmbeddedFhirServer store, URI fhirBase, Path sampleFile) {
        this.pipeline = pipeline;
        this.store = store;
        this.fhirBase = fhirBase;
        this.sampleFile = sampleFile;
    }

    /**
     * Starts the example and prints {@code READY mllp-fhir <port>} and how to send the sample to {@code out}.
     *
     * @param fhirBase the FHIR store, or null for an embedded one on an ephemeral port
     */
    public static MllpFhirServer start(int port, URI fhirBase, Path specFile, FhirAuth auth, PrintStream out) {
        EmbeddedFhirServer store = fhirBase == null ? EmbeddedFhirServer.empty().start() : null;
        Pipeline pipeline = null;
        try {
            URI base = store != null ? store.baseUrl() : fhirBase;
            pipeline = MllpFhirExample.pipeline(MllpFhirExample.Options.to(base).withPort(port).withSpec(specFile)
                    .withAuth(store != null ? FhirAuth.none() : auth));
            pipeline.start();
            MllpFhirServer running = new MllpFhirServer(pipeline, store, base, writeSample());
            running.announce(out);
            return running;
        } catch (RuntimeException e) {
            if (pipeline != null) {
                pipeline.close();
            }
            if (store != null) {
                store.close();
            }
            throw e;
        }
    }

    /** The MLLP port. */
    public int port() {
        return ((MllpListener) pipeline.frontend()).localPort();
    }

    /** The FHIR store's base. */
    public URI fhirBase() {
        return fhirBase;
    }

    /** The search that finds the sample's Patient by its MRN. */
    public URI patientSearch() {
        return URI.create(fhirBase + "/Patient?identifier=urn:harmony:id:ST-MARYS%7CMRN-2001");
    }

    /** The running pipeline. */
    public Pipeline pipeline() {
        return pipeline;
    }

    /** The embedded store, if this example started one. */
    public EmbeddedFhirServer embeddedStore() {
        return store;
    }

    private void announce(PrintStream out) {
        out.println("READY mllp-fhir " + port());
        out.println("FHIR store: " + fhirBase + (store != null ? " (embedded, in memory)" : ""));
        out.println("send the sample ADT^A01 (python3-hl7's MLLP client):");
        out.println("  mllp_send --loose --port " + port() + " --file " + sampleFile + " 127.0.0.1");
        out.println("get the Patient back:");
        out.println("  curl -sS '" + patientSearch() + "'");
        out.flush();
    }

    private static Path writeSample() {
        return Samples.toTempFile(MllpFhirExample.SAMPLE, "mllp-fhir-sample-", ".hl7");
    }

    @Override
    public void close() {
        pipeline.close();
        if (store != null) {
            store.close();
        }
        try {
            Files.deleteIfExists(sampleFile);
        } catch (IOException ignored) {
            // a temp file; deleteOnExit is the fallback
        }
    }
}
