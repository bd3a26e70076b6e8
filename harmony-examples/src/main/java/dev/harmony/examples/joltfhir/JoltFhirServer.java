package dev.harmony.examples.joltfhir;

import dev.harmony.examples.Samples;
import dev.harmony.fhir.backend.FhirAuth;
import dev.harmony.fhir.server.EmbeddedFhirServer;
import dev.harmony.http.frontend.HttpIngress;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.queue.DeliveryQueue;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The running example as the {@code jolt-fhir} command starts it: the pipeline, plus an embedded FHIR
 * store when no {@code --fhir-base} is given. {@link #close()} stops both.
 */
public final class JoltFhirServer implements AutoCloseable {
    private final Pipeline pipeline;
    private final EmbeddedFhirServer store;
    private final URI fhirBase;
    private final Path sampleFile;

    private JoltFhirServer(Pipeline pipeline, EmbeddedFhirServer store, URI fhirBase, Path sampleFile) {
        this.pipeline = pipeline;
        this.store = store;
        this.fhirBase = fhirBase;
        this.sampleFile = sampleFile;
    }

    /**
     * Starts the example and prints {@code READY jolt-fhir <port>} and two curl lines to {@code out}.
     *
     * @param fhirBase the FHIR store, or null for an embedded one on an ephemeral port
     */
    public static JoltFhirServer start(int port, String path, URI fhirBase, Path specFile, PrintStream out) {
        return start(port, path, fhirBase, specFile, FhirAuth.none(), out);
    }

    /**
     * Like {@link #start(int, String, URI, Path, PrintStream)}, authenticating to the FHIR store at
     * {@code fhirBase} with {@code auth} (ignored for the embedded store, which has none).
     */
    public static JoltFhirServer start(int port, String path, URI fhirBase, Path specFile, FhirAuth auth,
            PrintStream out) {
        return start(port, path, fhirBase, specFile, auth, JoltFhirExample.DEFAULT_MRN_SYSTEM, null, out);
    }

    /**
     * Like {@link #start(int, String, URI, Path, FhirAuth, PrintStream)}, keying the conditional create on
     * the identifier system {@code mrnSystem} and queueing the Bundles at {@code queue} (null: no queue, else
     * the webhook answers 202 once queued).
     */
    public static JoltFhirServer start(int port, String path, URI fhirBase, Path specFile, FhirAuth auth,
            String mrnSystem, DeliveryQueue.Location queue, PrintStream out) {
        EmbeddedFhirServer store = fhirBase == null ? EmbeddedFhirServer.empty().start() : null;
        Pipeline pipeline = null;
        try {
            URI base = store != null ? store.baseUrl() : fhirBase;
            pipeline = JoltFhirExample.pipeline(new JoltFhirExample.Options(port, path, base, specFile,
                    store != null ? FhirAuth.none() : auth).withMrnSystem(mrnSystem).withQueue(queue));
            pipeline.start();
            Path sample = writeSample();
            JoltFhirServer running = new JoltFhirServer(pipeline, store, base, sample);
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

    /** The webhook's port. */
    public int port() {
        return ((HttpIngress) pipeline.frontend()).port();
    }

    /** The webhook's full URL. */
    public URI webhook() {
        return URI.create("http://127.0.0.1:" + port() + ((HttpIngress) pipeline.frontend()).prefix());
    }

    /** The FHIR store's base. */
    public URI fhirBase() {
        return fhirBase;
    }

    /** The search that finds the sample's Patient by its MRN ({@code |} escaped: servers refuse it raw). */
    public URI patientSearch() {
        return URI.create(fhirBase + "/Patient?identifier=urn:harmony:id:ST-MARYS%7CMRN-1001");
    }

    /** The embedded store, if this example started one. */
    public EmbeddedFhirServer embeddedStore() {
        return store;
    }

    /** The running pipeline. */
    public Pipeline pipeline() {
        return pipeline;
    }

    private void announce(PrintStream out) {
        out.println("READY jolt-fhir " + port());
        out.println("FHIR store: " + fhirBase + (store != null ? " (embedded, in memory)" : ""));
        out.println("post the sample legacy patient:");
        out.println("  curl -sS -X POST -H 'Content-Type: application/json' --data-binary @" + sampleFile + " "
                + webhook());
        out.println("get the Patient back:");
        out.println("  curl -sS '" + patientSearch() + "'");
        out.flush();
    }

    private static Path writeSample() {
        return Samples.toTempFile(JoltFhirExample.SAMPLE, "jolt-fhir-sample-", ".json");
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
