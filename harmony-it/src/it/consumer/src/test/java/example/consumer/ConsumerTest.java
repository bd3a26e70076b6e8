package example.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.harmony.http.frontend.HttpIngress;
import dev.harmony.http.middleware.JwtAuth;
import dev.harmony.message.Body;
import dev.harmony.message.Json;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Pipeline;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What issue #13's user did: depend on our modules with nothing else, start an HTTP pipeline, call it.
 * Before the poms converged, jackson-core 2.15 next to jackson-databind 2.20 turned every JSON answer
 * into a 500 and every rejection into a closed connection.
 */
class ConsumerTest {
    private static final String SECRET = "consumer-test-secret-of-at-least-32-bytes";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static HttpIngress ingress;
    private static Pipeline pipeline;

    @BeforeAll
    static void start() {
        ingress = HttpIngress.port(0).bind("127.0.0.1").build();
        pipeline = Pipeline.builder()
                .name("consumer")
                .frontend(ingress)
                .use(JwtAuth.hmacSecret(SECRET).build())
                .backend(request -> {
                    if (request.path().endsWith("/boom")) {
                        throw new IllegalStateException("boom in the consumer's backend");
                    }
                    return Response.ok(Body.ofJson(Json.mapper().createObjectNode()
                            .put("resourceType", "Patient").put("id", "p1")));
                })
                .build();
        pipeline.start();
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    private static HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingress.port() + path))
                .timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** An HS256 token made by hand, so the test does not lean on the JWT library under test. */
    private static String token() throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String claims = b64.encodeToString(("{\"sub\":\"consumer\",\"exp\":" + Instant.now().plusSeconds(600).getEpochSecond()
                + "}").getBytes(StandardCharsets.UTF_8));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String signed = header + "." + claims;
        return signed + "." + b64.encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void oneJacksonOnTheClasspath() {
        // Version.equals compares the artifact id too; the numbers are what must agree
        assertEquals(com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION.toString(),
                com.fasterxml.jackson.core.json.PackageVersion.VERSION.toString());
    }

    @Test
    void noTokenIsAJson401OverRealHttp() throws Exception {
        HttpResponse<String> r = get("/Patient/p1", null);

        assertEquals(401, r.statusCode());
        assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
        JsonNode body = JSON.readTree(r.body());
        assertEquals("unauthenticated", body.path("error").asText(), r.body());
    }

    @Test
    void aForgedTokenIsAJson401() throws Exception {
        String forged = token();
        forged = forged.substring(0, forged.length() - 2) + (forged.endsWith("AA") ? "BB" : "AA");

        HttpResponse<String> r = get("/Patient/p1", forged);

        assertEquals(401, r.statusCode());
        assertEquals("unauthenticated", JSON.readTree(r.body()).path("error").asText(), r.body());
    }

    @Test
    void aValidTokenGetsTheBackendsJson() throws Exception {
        HttpResponse<String> r = get("/Patient/p1", token());

        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("Patient", body.path("resourceType").asText());
        assertEquals("p1", body.path("id").asText());
    }

    /** No SLF4J provider here: the first INTERNAL error must still reach stderr, once, with its trace. */
    @Test
    void withoutAnSlf4jProviderTheFirstInternalErrorReachesStderrOnce() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        HttpResponse<String> first;
        HttpResponse<String> second;
        try {
            first = get("/boom", token());
            second = get("/boom", token());
        } finally {
            System.setErr(saved);
        }
        String err = captured.toString(StandardCharsets.UTF_8);
        saved.print(err); // keep it in the build log for a human

        assertEquals(500, first.statusCode());
        assertEquals(500, second.statusCode());
        String firstId = JSON.readTree(first.body()).path("reason").asText();
        String secondId = JSON.readTree(second.body()).path("reason").asText();
        assertFalse(firstId.isEmpty(), first.body());
        assertTrue(err.contains("harmony: [" + firstId + "] pipeline 'consumer'"), err);
        assertTrue(err.contains("java.lang.IllegalStateException: boom in the consumer's backend"), err);
        assertTrue(err.contains("at example.consumer.ConsumerTest"), err);
        assertTrue(err.contains("org.slf4j:slf4j-simple"), err);
        assertEquals(1, count(err, "boom in the consumer's backend"), err);
        assertFalse(err.contains(secondId), err);
    }

    /** harmony-fhir without harmony-fhir-server: FHIR parsing works, the HAPI server stack is absent. */
    @Test
    void harmonyFhirWorksWithoutTheHapiServerStack() {
        assertEquals("Patient", dev.harmony.fhir.Fhir.jsonParser()
                .parseResource("{\"resourceType\":\"Patient\",\"id\":\"p1\"}").fhirType());
        assertThrows(ClassNotFoundException.class, () -> Class.forName("ca.uhn.fhir.rest.server.RestfulServer"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("io.undertow.servlet.Servlets"));
    }

    @Test
    void theVerboseDependencyTreeHasNoConflicts() throws Exception {
        String tree = Files.readString(Path.of("target", "dependency-tree.txt"));

        assertTrue(tree.contains("dev.harmony:harmony-http:jar:"), tree);
        assertTrue(tree.contains("com.fasterxml.jackson.core:jackson-core:jar:"), tree);
        assertEquals(0, count(tree, "omitted for conflict"), tree);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
