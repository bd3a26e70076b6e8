package dev.harmony.examples.joltfhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.StrictErrorHandler;
import com.fasterxml.jackson.databind.JsonNode;
import dev.harmony.fhir.Fhir;
import dev.harmony.fhir.middleware.FhirValidation;
import dev.harmony.message.Body;
import dev.harmony.message.Json;
import dev.harmony.message.Protocol;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.testing.DirectFrontend;
import dev.harmony.testing.RecordingBackend;
import dev.harmony.transform.middleware.JsonSchema;
import dev.harmony.transform.middleware.Jolt;
import dev.harmony.transform.middleware.Normalize;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Golden files for {@code patient_to_fhir.json}: each {@code golden/<case>.input.json} goes through the
 * example's mapping stages (schema, JOLT, normalize, FHIR validation) and must arrive exactly as
 * {@code golden/<case>.expected.json}, which in turn must parse with HAPI's strict parser.
 */
class JoltFhirGoldenTest {
    private static final DirectFrontend IN = DirectFrontend.speaking(Protocol.HTTP);
    private static final RecordingBackend OUT = RecordingBackend.answering(Response.ok());
    private static Pipeline pipeline;

    @BeforeAll
    static void start() {
        pipeline = Pipeline.builder().name("jolt-fhir-golden").frontend(IN)
                .use(JsonSchema.classpath(JoltFhirExample.SCHEMA).build())
                .use(Jolt.classpath(JoltFhirExample.SPEC).contentType(Fhir.JSON).build())
                .use(Normalize.json().build())
                .use(FhirValidation.r4().resourceTypes("Patient").build())
                .backend(OUT).build();
        pipeline.start();
    }

    @AfterAll
    static void stop() {
        pipeline.close();
    }

    static String resource(String name) throws IOException {
        try (InputStream in = JoltFhirGoldenTest.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as("classpath resource " + name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"full", "minimal-female", "messy-other", "unknown-postal"})
    void inputMapsToTheExpectedValidPatient(String name) throws Exception {
        String input = resource("joltfhir/golden/" + name + ".input.json");
        String expected = resource("joltfhir/golden/" + name + ".expected.json");

        Response r = IN.send(IN.request("POST", "/").body(Body.ofText(input, "application/json")));

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode actual = Json.mapper().readTree(OUT.last().bodyText());
        assertThat(actual).isEqualTo(Json.mapper().readTree(expected));
        assertThat(OUT.last().request().body().contentType()).contains("application/fhir+json");
        Patient strict = Fhir.jsonParser().setParserErrorHandler(new StrictErrorHandler())
                .parseResource(Patient.class, expected);
        assertThat(strict.getIdentifierFirstRep().getSystem()).startsWith("urn:harmony:id:");
    }

    @Test
    void theShippedSampleIsTheFullGoldenCase() throws Exception {
        assertThat(Json.mapper().readTree(resource(JoltFhirExample.SAMPLE)))
                .isEqualTo(Json.mapper().readTree(resource("joltfhir/golden/full.input.json")));
    }

    @Test
    void fullCaseMapsEveryPidFieldToItsFhirElement() throws Exception {
        Patient p = Fhir.jsonParser().setParserErrorHandler(new StrictErrorHandler())
                .parseResource(Patient.class, resource("joltfhir/golden/full.expected.json"));

        assertThat(p.getIdentifier()).hasSize(2);
        assertThat(p.getIdentifierFirstRep().getValue()).isEqualTo("MRN-1001");
        assertThat(p.getIdentifierFirstRep().getType().getCodingFirstRep().getCode()).isEqualTo("MR");
        assertThat(p.getNameFirstRep().getFamily()).isEqualTo("Smith");
        assertThat(p.getNameFirstRep().getGiven()).extracting(Object::toString).containsExactly("John", "Quincy");
        assertThat(p.getGender()).isEqualTo(AdministrativeGender.MALE);
        assertThat(p.getBirthDateElement().getValueAsString()).isEqualTo("1980-03-15");
        assertThat(p.getAddressFirstRep().getPostalCode()).isEqualTo("62701");
        assertThat(p.getTelecom()).hasSize(3);
        assertThat(p.getDeceasedBooleanType().booleanValue()).isFalse();
        assertThat(p.getActive()).isTrue();
    }
}
