package dev.harmony.examples.all;

import com.fasterxml.jackson.databind.JsonNode;
import dev.harmony.dicom.scu.AssociationRejectedException;
import dev.harmony.dicom.scu.DicomClient;
import dev.harmony.examples.Samples;
import dev.harmony.examples.bench.DicomCorpus;
import dev.harmony.examples.joltfhir.JoltFhirExample;
import dev.harmony.examples.mllpfhir.MllpFhirExample;
import dev.harmony.hl7.Hl7;
import dev.harmony.hl7.backend.MllpForward;
import dev.harmony.message.Body;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.message.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Drives sample traffic through a running {@link Showcase} from inside the JVM, with our own DICOM SCU
 * and the JDK's HTTP client, and records what happened at each step.
 */
public final class Demo {
    /** The calling AE title the demo modality uses; the showcase admits it. */
    static final String MODALITY_AE = "DEMO-CT";
    /** A calling AE title that is not on the allow-list. */
    static final String STRANGER_AE = "INTRUDER";
    static final int SERIES_SIZE = 10;
    /** The MRN identifier of the shipped sample payload, as the JOLT spec maps it. */
    static final String SAMPLE_IDENTIFIER = "urn:harmony:id:ST-MARYS|MRN-1001";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Showcase showcase;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<DemoStep> steps = new ArrayList<>();

    public Demo(Showcase showcase, PrintStream out) {
        this.showcase = Objects.requireNonNull(showcase, "showcase");
        this.out = Objects.requireNonNull(out, "out");
    }

    /** Runs every step (a failing step does not stop the others) and returns them in order. */
    public List<DemoStep> run() {
        out.println();
        out.println("DEMO: driving sample traffic through the three pipelines");
        guarded("dicom-scp", "store a generated CT series", this::storeSeries);
        guarded("dicom-scp", "associate as " + STRANGER_AE, this::strangerRefused);
        guarded("fhir-proxy", "GET /Patient with a valid token", this::proxyWithToken);
        guarded("fhir-proxy", "GET /Patient with a forged token", this::proxyWithForgedToken);
        guarded("fhir-proxy", "call until the rate limit trips", this::proxyUntilRateLimited);
        guarded("jolt-fhir", "POST the legacy patient to the webhook", this::postLegacyPatient);
        guarded("jolt-fhir", "read the Patient back, resend, read again", this::readPatientBack);
        guarded("mllp-fhir", "send the sample ADT^A01 over MLLP twice", this::sendAdtTwice);
        return List.copyOf(steps);
    }

    private interface Step {
        void run() throws Exception;
    }

    private void guarded(String pipeline, String action, Step step) {
        out.println("  ... " + pipeline + ": " + action);
        int before = steps.size();
        try {
            step.run();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            steps.add(DemoStep.check(pipeline, action, "no error", e.getClass().getSimpleName() + ": " + e.getMessage(),
                    false));
        }
        for (DemoStep s : steps.subList(before, steps.size())) {
            out.println("      " + (s.ok() ? "ok  " : "FAIL") + " " + s.observed());
        }
    }

    private void storeSeries() throws IOException {
        Path tmp = Files.createTempDirectory("harmony-demo-ct-");
        try {
            List<Path> files = DicomCorpus.write(tmp, SERIES_SIZE, 1);
            long before = countFiles(showcase.settings().dicomDir());
            DicomClient client = DicomClient.callingAe(MODALITY_AE).responseTimeout(TIMEOUT).build();
            int echo = client.echo(showcase.dicomNode());
            List<Integer> statuses = client.store(showcase.dicomNode(), files);
            long stored = countFiles(showcase.settings().dicomDir()) - before;
            boolean allSuccess = statuses.stream().allMatch(st -> st == 0);
            steps.add(DemoStep.check("dicom-scp", "C-ECHO as " + MODALITY_AE, "status 0000",
                    String.format("C-ECHO status %04X", echo), echo == 0));
            steps.add(DemoStep.check("dicom-scp", "C-STORE " + SERIES_SIZE + " CT objects (512 KB each)",
                    SERIES_SIZE + " x status 0000 and " + SERIES_SIZE + " new Part-10 files",
                    statuses.size() + " stored, " + (allSuccess ? "all 0000" : "statuses " + statuses) + ", "
                            + stored + " new Part-10 files under " + showcase.settings().dicomDir(),
                    allSuccess && statuses.size() == SERIES_SIZE && stored == SERIES_SIZE));
        } finally {
            deleteTree(tmp);
        }
    }

    private void strangerRefused() throws IOException {
        DicomClient stranger = DicomClient.callingAe(STRANGER_AE).responseTimeout(TIMEOUT).build();
        String observed;
        boolean ok;
        try {
            int status = stranger.echo(showcase.dicomNode());
            observed = String.format("association accepted (C-ECHO status %04X)", status);
            ok = false;
        } catch (AssociationRejectedException e) {
            observed = "A-ASSOCIATE-RJ: " + e.getMessage();
            ok = true;
        }
        steps.add(DemoStep.check("dicom-scp", "associate as " + STRANGER_AE, "A-ASSOCIATE-RJ", observed, ok));
    }

    private void proxyWithToken() throws Exception {
        HttpResponse<String> r = get(showcase.proxy().baseUrl() + "/Patient", showcase.sampleToken());
        JsonNode body = Json.mapper().readTree(r.body());
        boolean ok = r.statusCode() == 200 && "Bundle".equals(body.path("resourceType").asText());
        steps.add(DemoStep.check("fhir-proxy", "GET /Patient, valid token", "200 with a Bundle",
                r.statusCode() + " " + body.path("resourceType").asText() + " with " + body.path("entry").size()
                        + " patients", ok));
    }

    private void proxyWithForgedToken() throws Exception {
        HttpResponse<String> r = get(showcase.proxy().baseUrl() + "/Patient", showcase.forgedToken());
        String challenge = r.headers().firstValue("WWW-Authenticate").orElse("(none)");
        JsonNode body = Json.mapper().readTree(r.body());
        boolean ok = r.statusCode() == 401 && challenge.contains("invalid_token")
                && "OperationOutcome".equals(body.path("resourceType").asText());
        steps.add(DemoStep.check("fhir-proxy", "GET /Patient, forged token", "401 invalid_token OperationOutcome",
                r.statusCode() + " " + body.path("resourceType").asText() + ", WWW-Authenticate: " + challenge, ok));
    }

    private void proxyUntilRateLimited() throws Exception {
        String token = showcase.sampleToken();
        int allowed = 0;
        HttpResponse<String> last = null;
        // 100 per minute per subject: one call was made above, so the limit trips within 101 more
        for (int i = 0; i < 150; i++) {
            last = get(showcase.proxy().baseUrl() + "/Patient?_count=1", token);
            if (last.statusCode() != 200) {
                break;
            }
            allowed++;
        }
        int status = last == null ? -1 : last.statusCode();
        String retryAfter = last == null ? "" : last.headers().firstValue("Retry-After").orElse("(none)");
        String limit = last == null ? "" : last.headers().firstValue("RateLimit-Limit").orElse("(none)");
        // the bucket refills steadily (100/min = one call per 0.6 s), so a slow machine may get a few more
        steps.add(DemoStep.check("fhir-proxy", "repeat GET until limited", "429 once the 100/min budget is spent",
                allowed + " more calls allowed, then " + status + " (Retry-After: " + retryAfter + " s, RateLimit-Limit: "
                        + limit + ")", status == 429 && allowed >= 99 && allowed < 150));
    }

    private void postLegacyPatient() throws Exception {
        HttpResponse<String> r = postSample();
        JsonNode body = Json.mapper().readTree(r.body());
        String entryStatus = body.path("entry").path(0).path("response").path("status").asText();
        boolean ok = r.statusCode() == 200 && "transaction-response".equals(body.path("type").asText())
                && entryStatus.startsWith("201");
        steps.add(DemoStep.check("jolt-fhir", "POST sample_patient.json", "200 transaction-response, entry 201 Created",
                r.statusCode() + " " + body.path("type").asText() + ", entry " + entryStatus, ok));
    }

    private void readPatientBack() throws Exception {
        String search = showcase.fhirStore() + "/Patient?identifier="
                + URLEncoder.encode(SAMPLE_IDENTIFIER, StandardCharsets.UTF_8);
        JsonNode first = Json.mapper().readTree(get(search, null).body());
        JsonNode name = first.path("entry").path(0).path("resource").path("name").path(0);
        String who = name.path("given").path(0).asText() + " " + name.path("family").asText();
        steps.add(DemoStep.check("jolt-fhir", "GET Patient?identifier=" + SAMPLE_IDENTIFIER,
                "the transformed Patient", first.path("total").asInt() + " match: " + who + ", born "
                        + first.path("entry").path(0).path("resource").path("birthDate").asText(),
                first.path("total").asInt() == 1 && who.equals("John Smith")));
        HttpResponse<String> again = postSample();
        JsonNode second = Json.mapper().readTree(get(search, null).body());
        String entryStatus = Json.mapper().readTree(again.body()).path("entry").path(0).path("response")
                .path("status").asText();
        steps.add(DemoStep.check("jolt-fhir", "resend the same payload", "200 OK, still one Patient (conditional create)",
                again.statusCode() + ", entry " + entryStatus + ", " + second.path("total").asInt() + " Patient(s)",
                again.statusCode() == 200 && entryStatus.startsWith("200") && second.path("total").asInt() == 1));
    }

    /** Sends the sample ADT^A01 twice (our own MLLP sender, as a legacy system would) and counts the Patients. */
    private void sendAdtTwice() throws Exception {
        byte[] sample = Samples.bytes(MllpFhirExample.SAMPLE);
        MllpForward sender = MllpForward.to("127.0.0.1", showcase.mllp().port()).ackTimeout(TIMEOUT).build();
        try {
            Request message = Request.builder(Hl7.MLLP, "ADT^A01").body(Body.ofBytes(sample, Hl7.ER7)).build();
            String first = ackOf(sender.handle(message));
            String second = ackOf(sender.handle(message));
            JsonNode found = Json.mapper().readTree(get(showcase.mllp().patientSearch().toString(), null).body());
            int total = found.path("total").asInt();
            steps.add(DemoStep.check("mllp-fhir", "ADT^A01 MSG-1001 over MLLP, then again",
                    "AA, AA, one Patient with MRN-2001", first + ", " + second + ", " + total + " Patient(s)",
                    first.equals("AA") && second.equals("AA") && total == 1));
        } finally {
            sender.stop();
        }
    }

    private static String ackOf(Response r) {
        return r.isSuccess() ? "AA" : r.rejection().map(x -> x.reason().orElse(x.kind().name())).orElse("?");
    }

    private HttpResponse<String> postSample() throws Exception {
        byte[] sample = Samples.bytes(JoltFhirExample.SAMPLE);
        HttpRequest request = HttpRequest.newBuilder(showcase.jolt().webhook()).timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(sample)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String url, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long countFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".dcm")).filter(Demo::isPart10).count();
        }
    }

    private static boolean isPart10(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(132);
            return head.length == 132 && head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M';
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
