package dev.harmony.examples.joltfhir;

import dev.harmony.fhir.Fhir;
import dev.harmony.fhir.OperationOutcomes;
import dev.harmony.fhir.backend.FhirAuth;
import dev.harmony.fhir.backend.FhirClient;
import dev.harmony.fhir.backend.Retry;
import dev.harmony.fhir.middleware.FhirValidation;
import dev.harmony.http.frontend.HttpIngress;
import dev.harmony.pipeline.Backend;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.queue.DeliveryQueue;
import dev.harmony.transform.middleware.JsonSchema;
import dev.harmony.transform.middleware.Jolt;
import dev.harmony.transform.middleware.Normalize;
import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Seed pipeline 3, JOLT to FHIR: a legacy system POSTs a patient (HL7v2 PID fields as JSON) to a
 * webhook; the payload is checked against its JSON schema, mapped to a FHIR R4 Patient by the JOLT spec
 * {@code patient_to_fhir.json}, tidied, validated as FHIR, and sent to the FHIR store in a transaction
 * Bundle with a conditional create on the MRN, so a resend never makes a second Patient.
 */
public final class JoltFhirExample {
    /** The webhook's default port. */
    public static final int DEFAULT_PORT = 8081;
    /** The webhook's default path. */
    public static final String DEFAULT_PATH = "/webhook/patient";
    /** The queue's name for the FHIR store, as {@code queue status} shows it. */
    public static final String QUEUE_DESTINATION = "fhir";
    /** The JOLT spec shipped with the example (classpath). */
    public static final String SPEC = "joltfhir/patient_to_fhir.json";
    /** The JSON schema of the legacy payload (classpath). */
    public static final String SCHEMA = "joltfhir/legacy_patient.schema.json";
    /** A sample legacy payload (classpath). */
    public static final String SAMPLE = "joltfhir/sample_patient.json";
    /** The FHIR base drawn in diagrams when none is given: where {@code all} runs its embedded FHIR server. */
    public static final URI DEFAULT_FHIR_BASE = URI.create("http://127.0.0.1:8090/fhir");

    private JoltFhirExample() {
    }

    /**
     * How the example is set up.
     *
     * @param port the webhook port (0 = ephemeral)
     * @param path the webhook path
     * @param fhirBase the FHIR store's base URL
     * @param specFile a JOLT spec file to use instead of the shipped one, or null
     * @param fhirAuth how to authenticate to the FHIR store
     * @param queue where Bundles wait for the FHIR store (the webhook answers 202 once queued), or null to
     *        answer with the store's own answer
     */
    public record Options(int port, String path, URI fhirBase, Path specFile, FhirAuth fhirAuth,
            DeliveryQueue.Location queue) {
        public Options {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(fhirBase, "fhirBase");
            Objects.requireNonNull(fhirAuth, "fhirAuth");
        }

        /** Without a queue. */
        public Options(int port, String path, URI fhirBase, Path specFile, FhirAuth fhirAuth) {
            this(port, path, fhirBase, specFile, fhirAuth, null);
        }

        /** The defaults, with the store at {@code fhirBase}. */
        public static Options to(URI fhirBase) {
            return new Options(DEFAULT_PORT, DEFAULT_PATH, fhirBase, null, FhirAuth.none());
        }

        /** A copy with another webhook port. */
        public Options withPort(int value) {
            return new Options(value, path, fhirBase, specFile, fhirAuth, queue);
        }

        /** A copy with another JOLT spec file (null: the shipped one). */
        public Options withSpec(Path value) {
            return new Options(port, path, fhirBase, value, fhirAuth, queue);
        }

        /** A copy authenticating to the FHIR store with {@code value}. */
        public Options withAuth(FhirAuth value) {
            return new Options(port, path, fhirBase, specFile, value, queue);
        }

        /** A copy that queues Bundles at {@code value} (null: no queue). */
        public Options withQueue(DeliveryQueue.Location value) {
            return new Options(port, path, fhirBase, specFile, fhirAuth, value);
        }
    }

    /** The pipeline with default settings (not started), for diagrams. */
    public static Pipeline pipeline() {
        return pipeline(Options.to(DEFAULT_FHIR_BASE));
    }

    /** The pipeline (not started). */
    public static Pipeline pipeline(Options o) {
        Jolt.Builder spec = o.specFile() == null ? Jolt.classpath(SPEC) : Jolt.file(o.specFile());
        FhirClient.Builder client = FhirClient.to(o.fhirBase()).asTransaction().conditionalCreate().auth(o.fhirAuth());
        // Queued, the queue retries (and survives restarts); the conditional create keeps a redelivery idempotent.
        Backend store = o.queue() == null ? client.build()
                : o.queue().deliverTo(QUEUE_DESTINATION, client.retry(Retry.none()).build()).build();
        return Pipeline.builder()
                .name("jolt-fhir")
                .source("Legacy System", "HL7v2 -> JSON")
                .frontend(HttpIngress.port(o.port()).bind("127.0.0.1").prefix(o.path())
                        .rejections(OperationOutcomes.renderer()).build())
                .use(JsonSchema.classpath(SCHEMA).build())
                .use(spec.contentType(Fhir.JSON).build())
                .use(Normalize.json().build())
                .use(FhirValidation.r4().resourceTypes("Patient").build())
                .backend(store)
                .target("FHIR Store", o.fhirBase().getAuthority())
                .build();
    }
}
