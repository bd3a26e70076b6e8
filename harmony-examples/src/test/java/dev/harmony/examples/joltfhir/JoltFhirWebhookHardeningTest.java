package dev.harmony.examples.joltfhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.parser.StrictErrorHandler;
import dev.harmony.fhir.Fhir;
import dev.harmony.fhir.server.EmbeddedFhirServer;
import dev.harmony.http.frontend.HttpIngress;
import dev.harmony.pipeline.Pipeline;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;

/**
 * The webhook against what legacy senders and stores really do: a store that accepts and never answers,
 * identifiers in any order, Latin-1 payloads, partial and impossible birth dates. Over real HTTP, with
 * the embedded HAPI server (or a raw socket) as the store.
 */
class JoltFhirWebhookHardeningTest {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();

    private JoltFhirServer start() {
        return JoltFhirServer.start(0, JoltFhirExample.DEFAULT_PATH, null, null,
                new PrintStream(console, true, StandardCharsets.UTF_8));
    }

    private HttpResponse<String> post(URI webhook, byte[] body, String contentType) throws Exception {
        return http.send(HttpRequest.newBuilder(webhook).timeout(Duration.ofSeconds(60))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(URI webhook, String json) throws Exception {
        return post(webhook, json.getBytes(StandardCharsets.UTF_8), "application/json");
    }

    private static OperationOutcome outcome(HttpResponse<String> r) {
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("application/fhir+json"));
        return Fhir.jsonParser().setParserErrorHandler(new StrictErrorHandler())
                .parseResource(OperationOutcome.class, r.body());
    }

    /** A legacy payload with these identifiers (JSON array items), family name and birth date. */
    private static String legacy(String identifiers, String family, String dateOfBirth) {
        return "{\"sendingFacility\":\"ST-MARYS-HOSPITAL\",\"pid\":{\"patientIdentifierList\":[" + identifiers + "],"
                + "\"patientName\":{\"familyName\":\"" + family + "\",\"givenName\":\"Ann\"},"
                + (dateOfBirth == null ? "" : "\"dateOfBirth\":\"" + dateOfBirth + "\",")
                + "\"administrativeSex\":\"F\"}}";
    }

    private static String mrn(String value) {
        return "{\"id\":\"" + value + "\",\"assigningAuthority\":\"ST-MARYS\",\"identifierTypeCode\":\"MR\"}";
    }

    private static final String SSN = "{\"id\":\"123-45-6789\",\"assigningAuthority\":\"SSA\",\"identifierTypeCode\":\"SS\"}";

    private static Patient stored(EmbeddedFhirServer store, String mrn) {
        List<Patient> found = store.resources(Patient.class).stream()
                .filter(p -> p.getIdentifier().stream().anyMatch(i -> mrn.equals(i.getValue()))).toList();
        assertThat(found).as("Patients with MRN " + mrn).hasSize(1);
        return found.get(0);
    }

    @Test
    void aStoreThatNeverAnswersGets504WithinTheDeadline() throws Exception {
        try (SilentSocket store = new SilentSocket()) {
            JoltFhirExample.Options options = JoltFhirExample.Options.to(store.base()).withPort(0)
                    .withFhirDeadline(Duration.ofSeconds(1));
            try (Pipeline pipeline = JoltFhirExample.pipeline(options)) {
                pipeline.start();
                URI webhook = URI.create("http://127.0.0.1:" + ((HttpIngress) pipeline.frontend()).port()
                        + JoltFhirExample.DEFAULT_PATH);

                // Generous bound: before the deadline, four 30 s read timeouts made this over two minutes.
                HttpResponse<String> r = post(webhook, JoltFhirGoldenTest.resource(JoltFhirExample.SAMPLE));

                assertThat(r.statusCode()).isEqualTo(504);
                OperationOutcome oo = outcome(r);
                assertThat(oo.getIssueFirstRep().getCode()).isEqualTo(IssueType.TIMEOUT);
                // the ingress shows no upstream detail, only the correlation id the deadline message is logged under
                assertThat(oo.getIssueFirstRep().getDiagnostics()).contains("did not answer")
                        .contains("correlation id");
                assertThat(store.accepted()).as("the store got the request").isGreaterThanOrEqualTo(1);
            }
        }
    }

    @Test
    void conditionalCreateKeysOnTheMrnWhicheverIdentifierComesFirst() throws Exception {
        try (JoltFhirServer example = start()) {
            EmbeddedFhirServer store = example.embeddedStore();
            assertThat(post(example.webhook(), legacy(SSN + "," + mrn("MRN-2001"), "Order", "19700101")).statusCode())
                    .isEqualTo(200);
            assertThat(post(example.webhook(), legacy(mrn("MRN-2001") + "," + SSN, "Order", "19700101")).statusCode())
                    .isEqualTo(200);
            assertThat(post(example.webhook(), legacy(SSN + "," + mrn("MRN-2001"), "Order", "19700101")).statusCode())
                    .isEqualTo(200);
            assertThat(store.count("Patient")).as("one Patient for MRN-2001 in any identifier order").isEqualTo(1);

            // The same SSN with another MRN is another patient: the SSN is not the key.
            assertThat(post(example.webhook(), legacy(SSN + "," + mrn("MRN-2002"), "Other", null)).statusCode())
                    .isEqualTo(200);
            assertThat(store.count("Patient")).isEqualTo(2);

            // No MRN of the configured system: refused, nothing stored (a resend would duplicate it).
            HttpResponse<String> noMrn = post(example.webhook(), legacy(SSN, "Nomrn", null));
            assertThat(noMrn.statusCode()).isEqualTo(422);
            OperationOutcome oo = outcome(noMrn);
            assertThat(oo.getIssueFirstRep().getDiagnostics())
                    .contains("no identifier of system '" + JoltFhirExample.DEFAULT_MRN_SYSTEM + "'");
            assertThat(store.count("Patient")).isEqualTo(2);
        }
    }

    @Test
    void theKeyIsTheConfiguredSystem() throws Exception {
        try (JoltFhirServer example = JoltFhirServer.start(0, JoltFhirExample.DEFAULT_PATH, null, null,
                dev.harmony.fhir.backend.FhirAuth.none(), "urn:harmony:id:SSA", null,
                new PrintStream(console, true, StandardCharsets.UTF_8))) {
            assertThat(post(example.webhook(), legacy(mrn("MRN-5001") + "," + SSN, "Keyed", null)).statusCode())
                    .isEqualTo(200);
            assertThat(post(example.webhook(), legacy(SSN + "," + mrn("MRN-5002"), "Keyed", null)).statusCode())
                    .isEqualTo(200);
            assertThat(example.embeddedStore().count("Patient")).as("keyed on the SSN now").isEqualTo(1);
        }
    }

    @Test
    void aDeclaredCharsetIsHonouredAndAnUnknownOneIs415() throws Exception {
        try (JoltFhirServer example = start()) {
            String payload = legacy(mrn("MRN-3001"), "Müller-Lüdenscheidt", "19650704");
            byte[] latin1 = payload.getBytes(StandardCharsets.ISO_8859_1);
            assertThat(latin1).hasSize(payload.length()); // one byte per character: not UTF-8

            HttpResponse<String> r = post(example.webhook(), latin1, "application/json; charset=ISO-8859-1");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(stored(example.embeddedStore(), "MRN-3001").getNameFirstRep().getFamily())
                    .isEqualTo("Müller-Lüdenscheidt");

            HttpResponse<String> unknown = post(example.webhook(), latin1, "application/json; charset=x-no-such-charset");
            assertThat(unknown.statusCode()).isEqualTo(415);
            assertThat(outcome(unknown).getIssueFirstRep().getDiagnostics())
                    .contains("charset 'x-no-such-charset' is not supported");

            // Without a charset the bytes must be UTF-8 (JSON's default): the same Latin-1 bytes are refused.
            HttpResponse<String> undeclared = post(example.webhook(), latin1, "application/json");
            assertThat(undeclared.statusCode()).isEqualTo(400);
            assertThat(example.embeddedStore().count("Patient")).isEqualTo(1);
        }
    }

    @Test
    void partialBirthDatesMapToFhirPrecisionAndImpossibleOnesAreRefusedNamingTheField() throws Exception {
        try (JoltFhirServer example = start()) {
            EmbeddedFhirServer store = example.embeddedStore();
            String[][] mapped = {
                {"1980", "1980"}, {"198003", "1980-03"}, {"19800315", "1980-03-15"}, {"1980031512", "1980-03-15"},
                {"198003151230", "1980-03-15"}, {"19800315123045", "1980-03-15"}, {"00010101", "0001-01-01"},
                {"20240229", "2024-02-29"}};
            for (int i = 0; i < mapped.length; i++) {
                String id = "MRN-40" + i;
                HttpResponse<String> r = post(example.webhook(), legacy(mrn(id), "Dates", mapped[i][0]));
                assertThat(r.statusCode()).as(mapped[i][0] + ": " + r.body()).isEqualTo(200);
                assertThat(stored(store, id).getBirthDateElement().getValueAsString()).as(mapped[i][0])
                        .isEqualTo(mapped[i][1]);
            }

            // Refused by the schema, naming the legacy field: year 0000, month 00/13, day 00/32, odd lengths.
            for (String bad : new String[] {"0000", "000003", "00000315", "198000", "198013", "19800100", "19800132",
                    "19800", "1980031", "19800315123", "1980031525", "80", "1980-03-15"}) {
                HttpResponse<String> r = post(example.webhook(), legacy(mrn("MRN-BAD"), "Dates", bad));
                assertThat(r.statusCode()).as(bad).isEqualTo(422);
                OperationOutcome oo = outcome(r);
                assertThat(oo.getIssue()).as(bad).extracting(JoltFhirWebhookHardeningTest::where).contains("pid.dateOfBirth");
            }
            // Days a month does not have pass the pattern; FHIR validation refuses them, naming the element.
            for (String bad : new String[] {"20230229", "19800230", "19800431"}) {
                HttpResponse<String> r = post(example.webhook(), legacy(mrn("MRN-BAD"), "Dates", bad));
                assertThat(r.statusCode()).as(bad).isEqualTo(422);
                assertThat(outcome(r).getIssue()).as(bad).extracting(JoltFhirWebhookHardeningTest::where)
                        .contains("Patient.birthDate");
            }
            assertThat(store.count("Patient")).isEqualTo(mapped.length);
        }
    }

    private static String where(OperationOutcome.OperationOutcomeIssueComponent issue) {
        return issue.getExpression().isEmpty() ? "" : issue.getExpression().get(0).getValue();
    }

    /** A raw socket "FHIR store": accepts connections, reads nothing, never answers. */
    private static final class SilentSocket implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> held = new CopyOnWriteArrayList<>();

        SilentSocket() throws IOException {
            Thread acceptor = new Thread(() -> {
                try {
                    while (!server.isClosed()) {
                        held.add(server.accept());
                    }
                } catch (IOException closed) {
                    // close() ends the loop
                }
            }, "silent-fhir-store");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        URI base() {
            return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/fhir");
        }

        int accepted() {
            return held.size();
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
