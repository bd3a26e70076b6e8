package dev.harmony.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;

/**
 * The one shared FHIR R4 context of the process. Building a {@link FhirContext} scans every model class
 * and costs hundreds of milliseconds, so it is built once, eagerly, when this class loads, and every
 * FHIR stage uses it. The context is thread-safe; parsers are not, so ask for a fresh one per use.
 * It is HAPI's cached R4 context, so harmony-fhir-server's EmbeddedFhirServer in the same process
 * shares it instead of building a second one.
 */
public final class Fhir {
    /** The FHIR JSON media type. */
    public static final String JSON = "application/fhir+json";

    private static final FhirContext R4 = FhirContext.forR4Cached();

    static {
        // Warm up the JSON parser's model scan here rather than on the first request.
        R4.getResourceDefinition("Patient");
        R4.getResourceDefinition("Bundle");
        R4.getResourceDefinition("OperationOutcome");
    }

    private Fhir() {
    }

    /** The shared R4 context. */
    public static FhirContext r4() {
        return R4;
    }

    /** A new JSON parser on the shared context (parsers are cheap and not thread-safe). */
    public static IParser jsonParser() {
        return R4.newJsonParser();
    }
}
