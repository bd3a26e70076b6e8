package dev.harmony.examples.mllpfhir;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.fhir.backend.FhirAuth;
import dev.harmony.fhir.server.EmbeddedFhirServer;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.hl7.frontend.MllpListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;

/** The example over real MLLP into the embedded HAPI FHIR server, with python3-hl7's mllp_send as one sender. */
class MllpFhirEndToEndTest {
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();

    static String sample() throws IOException {
        try (InputStream in = Objects.requireNonNull(
                MllpFhirEndToEndTest.class.getClassLoader().getResourceAsStream(MllpFhirExample.SAMPLE))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Sends one framed message and returns the framed answer (bounded wait). */
    static String send(int port, String message) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            out.write(0x0B);
            out.write(message.getBytes(StandardCharsets.UTF_8));
            out.write(new byte[] {0x1C, 0x0D});
            out.flush();
            InputStream in = s.getInputStream();
            if (in.read() != 0x0B) {
                throw new IOException("no MLLP answer");
            }
            ByteArrayOutputStream ack = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != 0x1C) {
                if (b < 0) {
                    throw new IOException("closed inside the answer");
                }
                ack.write(b);
            }
            return ack.toString(StandardCharsets.UTF_8);
        }
    }

    static String msa(String ack) {
        for (String line : ack.split("\r")) {
            if (line.startsWith("MSA|")) {
                return line;
            }
        }
        throw new AssertionError("no MSA in " + ack);
    }

    @Test
    void theSampleBecomesOnePatientAndAResendIsIdempotent() throws Exception {
        try (MllpFhirServer example = MllpFhirServer.start(0, null, null, FhirAuth.none(),
                new PrintStream(console, true, StandardCharsets.UTF_8))) {
            String printed = console.toString(StandardCharsets.UTF_8);
            assertThat(printed).startsWith("READY mllp-fhir " + example.port() + System.lineSeparator())
                    .contains("mllp_send --loose --port " + example.port());
            EmbeddedFhirServer store = example.embeddedStore();
            assertThat(msa(send(example.port(), sample()))).isEqualTo("MSA|AA|MSG-1001");
            assertThat(store.count("Patient")).isEqualTo(1);
            Patient p = store.resources(Patient.class).get(0);
            assertThat(p.getIdentifierFirstRep().getSystem()).isEqualTo("urn:harmony:id:ST-MARYS");
            assertThat(p.getIdentifierFirstRep().getValue()).isEqualTo("MRN-2001");
            assertThat(p.getIdentifierFirstRep().getAssigner().getDisplay()).isEqualTo("ST-MARYS");
            assertThat(p.getIdentifierFirstRep().getType().getCodingFirstRep().getCode()).isEqualTo("MR");
            assertThat(p.getIdentifier().get(1).getSystem()).isEqualTo("urn:harmony:id:SSA");
            assertThat(p.getNameFirstRep().getFamily()).isEqualTo("Doe");
            assertThat(p.getNameFirstRep().getGiven()).extracting(Object::toString).containsExactly("John", "Quincy");
            assertThat(p.getNameFirstRep().getSuffixAsSingleString()).isEqualTo("Jr");
            assertThat(p.getBirthDateElement().getValueAsString()).isEqualTo("1980-02-14");
            assertThat(p.getGender()).isEqualTo(Enumerations.AdministrativeGender.MALE);
            assertThat(p.getAddressFirstRep().getCity()).isEqualTo("Springfield");
            assertThat(p.getAddressFirstRep().getPostalCode()).isEqualTo("62701");
            assertThat(p.getAddressFirstRep().getLine()).extracting(Object::toString)
                    .containsExactly("12 Main Street", "Apt 4");
            assertThat(p.getTelecom()).extracting(ContactPoint::getValue)
                    .contains("555-0100", "555-0199", "john.doe@example.org");
            assertThat(p.getManagingOrganization().getDisplay()).isEqualTo("ST-MARYS");

            // the same patient again, as an A08 with a new control id, and the sample itself resent
            assertThat(msa(send(example.port(), sample().replace("ADT^A01^ADT_A01|MSG-1001",
                    "ADT^A08^ADT_A01|MSG-1002")))).isEqualTo("MSA|AA|MSG-1002");
            assertThat(msa(send(example.port(), sample()))).isEqualTo("MSA|AA|MSG-1001");
            assertThat(store.count("Patient")).as("conditional create on the MRN: still one Patient").isEqualTo(1);

            // not an ADT^A01/A04/A08: AR, nothing stored
            assertThat(msa(send(example.port(), sample().replace("ADT^A01^ADT_A01|MSG-1001", "ORU^R01^ORU_R01|R-1"))))
                    .startsWith("MSA|AR|R-1");
            // a PID the FHIR validation refuses (a birth date that is no date): AE
            assertThat(msa(send(example.port(), sample().replace("MSG-1001", "BAD-1").replace("MRN-2001", "MRN-2")
                    .replace("19800214", "1980XX14")))).startsWith("MSA|AE|BAD-1");
            assertThat(store.count("Patient")).isEqualTo(1);
        }
    }

    @Test
    void pythonMllpSendDeliversTheSampleAsPrinted() throws Exception {
        try (MllpFhirServer example = MllpFhirServer.start(0, null, null, FhirAuth.none(),
                new PrintStream(console, true, StandardCharsets.UTF_8))) {
            String command = console.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("mllp_send"))
                    .findFirst().orElseThrow().trim();
            Process p = new ProcessBuilder("/bin/sh", "-c", command).redirectErrorStream(true).start();
            try {
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(p.exitValue()).as(out).isZero();
                assertThat(out).contains("MSA|AA|MSG-1001");
            } finally {
                p.destroyForcibly();
            }
            assertThat(example.embeddedStore().count("Patient")).isEqualTo(1);
        }
    }

    @Test
    void theStoreDownIsAnAeWithinTheDeadline() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Pipeline pipeline = MllpFhirExample.pipeline(MllpFhirExample.Options
                .to(URI.create("http://127.0.0.1:" + closed + "/fhir")).withPort(0)
                .withFhirDeadline(Duration.ofSeconds(2)));
        try (pipeline) {
            pipeline.start();
            int port = ((MllpListener) pipeline.frontend()).localPort();
            String ack = send(port, sample());
            assertThat(msa(ack)).startsWith("MSA|AE|MSG-1001");
            assertThat(ack).contains("ERR|");
        }
    }
}
