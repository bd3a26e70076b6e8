package dev.harmony.examples.mllpfhir;

import dev.harmony.examples.joltfhir.JoltFhirExample;
import dev.harmony.fhir.Fhir;
import dev.harmony.fhir.backend.FhirAuth;
import dev.harmony.fhir.backend.FhirClient;
import dev.harmony.fhir.middleware.FhirValidation;
import dev.harmony.hl7.frontend.MllpListener;
import dev.harmony.hl7.middleware.Hl7ToJson;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.transform.middleware.Jolt;
import dev.harmony.transform.middleware.Normalize;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The JOLT pipeline fed by a real legacy system: an HIS sends ADT^A01/A04/A08 over MLLP; each message is
 * read into HL7 v2 JSON, mapped to a FHIR R4 Patient by {@code adt_to_fhir.json}, tidied, validated, and
 * sent to the FHIR store in a transaction Bundle with a conditional create on the MRN, so a resend never
 * makes a second Patient. The sender gets AA once the store has the Patient, AE if the store refuses or
 * cannot be reached within the deadline, AR for what cannot be parsed or is not an ADT^A01/A04/A08.
 */
public final class MllpFhirExample {
    /** The MLLP port HL7 v2 systems use by convention. */
    public static final int DEFAULT_PORT = 2575;
    /** The shipped JOLT spec (classpath). */
    public static final String SPEC = "mllpfhir/adt_to_fhir.json";
    /** A sample ADT^A01 (classpath), segments ended by carriage returns. */
    public static final String SAMPLE = "mllpfhir/sample_adt_a01.hl7";
    /** The identifier system the conditional create keys on: the spec makes {@code urn:harmony:id:<PID-3.4>}. */
    public static final String DEFAULT_MRN_SYSTEM = JoltFhirExample.DEFAULT_MRN_SYSTEM;
    /** How long the sender waits for its ACK at most while the FHIR store is slow or down. */
    public static final Duration DEFAULT_FHIR_DEADLINE = Duration.ofSeconds(20);

    private MllpFhirExample() {
    }

    /**
     * How the example is set up.
     *
     * @param port the MLLP port (0 = ephemeral), bound on 127.0.0.1
     * @param fhirBase the FHIR store's base URL
     * @param specFile a JOLT spec file to use instead of the shipped one, or null
     * @param fhirAuth how to authenticate to the FHIR store
     * @param mrnSystem the identifier system the conditional create keys on
     * @param fhirDeadline the longest a message waits for the store, retries included (then AE)
     */
    public record Options(int port, URI fhirBase, Path specFile, FhirAuth fhirAuth, String mrnSystem,
            Duration fhirDeadline) {
        public Options {
            Objects.requireNonNull(fhirBase, "fhirBase");
            Objects.requireNonNull(fhirAuth, "fhirAuth");
            Objects.requireNonNull(mrnSystem, "mrnSystem");
            Objects.requireNonNull(fhirDeadline, "fhirDeadline");
        }

        /** The defaults, with the store at {@code fhirBase}. */
        public static Options to(URI fhirBase) {
            return new Options(DEFAULT_PORT, fhirBase, null, FhirAuth.none(), DEFAULT_MRN_SYSTEM, DEFAULT_FHIR_DEADLINE);
        }

        /** A copy with another MLLP port. */
        public Options withPort(int value) {
            return new Options(value, fhirBase, specFile, fhirAuth, mrnSystem, fhirDeadline);
        }

        /** A copy with another JOLT spec file (null: the shipped one). */
        public Options withSpec(Path value) {
            return new Options(port, fhirBase, value, fhirAuth, mrnSystem, fhirDeadline);
        }

        /** A copy authenticating to the FHIR store with {@code value}. */
        public Options withAuth(FhirAuth value) {
            return new Options(port, fhirBase, specFile, value, mrnSystem, fhirDeadline);
        }

        /** A copy waiting at most {@code value} for the FHIR store. */
        public Options withFhirDeadline(Duration value) {
            return new Options(port, fhirBase, specFile, fhirAuth, mrnSystem, value);
        }
    }

    /** The pipeline with default settings (not started), for diagrams. */
    public static Pipeline pipeline() {
        return pipeline(Options.to(JoltFhirExample.DEFAULT_FHIR_BASE));
    }

    /** The pipeline (not started). */
    public static Pipeline pipeline(Options o) {
        Jolt.Builder spec = o.specFile() == null ? Jolt.classpath(SPEC) : Jolt.file(o.specFile());
        return Pipeline.builder()
                .name("mllp-fhir")
                .source("Legacy System", "HL7 v2 over MLLP")
                .frontend(MllpListener.port(o.port()).bindAddress("127.0.0.1")
                        .messageTypes("ADT^A01", "ADT^A04", "ADT^A08").build())
                .use(Hl7ToJson.builder().build())
                .use(spec.contentType(Fhir.JSON).build())
                .use(Normalize.json().build())
                .use(FhirValidation.r4().resourceTypes("Patient").build())
                .backend(FhirClient.to(o.fhirBase()).asTransaction().conditionalCreate(o.mrnSystem())
                        .deadline(o.fhirDeadline()).auth(o.fhirAuth()).build())
                .target("FHIR Store", o.fhirBase().getAuthority())
                .build();
    }
}
