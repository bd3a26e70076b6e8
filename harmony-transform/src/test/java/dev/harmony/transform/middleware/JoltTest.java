package dev.harmony.transform.middleware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.harmony.message.Body;
import dev.harmony.message.Json;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Rejection;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JoltTest {

    @Test
    void specFromClasspathTransformsTheRequestAndPassesItOnParsed() throws Exception {
        Jolt jolt = Jolt.classpath("specs/rename.json").build();
        try (Exchanges x = new Exchanges(jolt)) {
            Response r = x.post("{\"first\":\"Ada\",\"last\":\"Lovelace\"}");

            assertThat(r.status()).isEqualTo(200);
            assertThat(x.seenByBackend.get().isParsedJson()).as("later stages get the tree, not bytes").isTrue();
            assertThat(Json.mapper().readTree(x.received()))
                    .isEqualTo(Json.mapper().readTree("{\"name\":{\"given\":\"Ada\",\"family\":\"Lovelace\"}}"));
        }
        assertThat(jolt.describe().label()).isEqualTo("JOLT Transform");
        assertThat(jolt.describe().detail()).isEqualTo("rename.json");
    }

    @Test
    void aLatin1BodyIsDecodedByItsCharsetAndPassedOnAsUtf8() throws Exception {
        Jolt jolt = Jolt.classpath("specs/rename.json").build();
        try (Exchanges x = new Exchanges(jolt)) {
            String json = "{\"first\":\"Zoë\",\"last\":\"Müller\"}";
            Response r = x.in.send(x.in.request("POST", "/in").body(Body.ofBytes(json.getBytes(
                    java.nio.charset.StandardCharsets.ISO_8859_1), "application/json; charset=ISO-8859-1")));

            assertThat(r.status()).isEqualTo(200);
            assertThat(Json.mapper().readTree(x.received()))
                    .isEqualTo(Json.mapper().readTree("{\"name\":{\"given\":\"Zoë\",\"family\":\"Müller\"}}"));
            // The tree goes on as UTF-8: the input's charset must not stay on it.
            assertThat(x.seenByBackend.get().contentType()).contains("application/json");
            assertThat(x.seenByBackend.get().text()).contains("Müller");

            Response utf8 = x.in.send(x.in.request("POST", "/in").body(Body.ofBytes(json.getBytes(
                    java.nio.charset.StandardCharsets.UTF_8), "application/json; Charset=\"UTF-8\"")));
            assertThat(utf8.status()).isEqualTo(200);
            assertThat(x.received()).contains("Müller");

            Response unknown = x.in.send(x.in.request("POST", "/in").body(Body.ofBytes(json.getBytes(
                    java.nio.charset.StandardCharsets.ISO_8859_1), "application/json; charset=no-such-set")));
            assertThat(unknown.status()).isEqualTo(415);
            assertThat(unknown.rejection().orElseThrow().message()).contains("'no-such-set' is not supported");
        }
    }

    @Test
    void specFromFileAndContentTypeOverride(@TempDir Path dir) throws Exception {
        Path spec = Files.writeString(dir.resolve("s.json"),
                "[{\"operation\":\"shift\",\"spec\":{\"a\":\"b\"}}]");
        Jolt jolt = Jolt.file(spec).contentType("application/fhir+json").build();
        try (Exchanges x = new Exchanges(jolt)) {
            x.post("{\"a\":1}");
            assertThat(x.received()).isEqualTo("{\"b\":1}");
            assertThat(x.seenByBackend.get().contentType()).contains("application/fhir+json");
        }
        assertThat(jolt.describe().detail()).isEqualTo("s.json");
    }

    @Test
    void everyJoltCoreOperationWorks() throws Exception {
        String spec = """
                [
                  {"operation":"shift","spec":{"id":"id","tags":"tags","n":"count","d":"date","drop":"drop",
                                               "z":"z","a":"a"}},
                  {"operation":"default","spec":{"status":"active"}},
                  {"operation":"remove","spec":{"drop":""}},
                  {"operation":"cardinality","spec":{"tags":"ONE"}},
                  {"operation":"modify-overwrite-beta","spec":{
                      "count":"=toInteger",
                      "date":"=concat(@(1,date[0]),'-',@(1,date[1]))",
                      "upper":"=toUpper(@(1,id))"}},
                  {"operation":"modify-default-beta","spec":{"status":"ignored","extra":"=size(@(1,id))"}},
                  {"operation":"sort"}
                ]
                """;
        Jolt jolt = Jolt.json(spec).build();
        try (Exchanges x = new Exchanges(jolt)) {
            Response r = x.post("{\"id\":\"ab\",\"tags\":[\"t1\",\"t2\"],\"n\":\"42\",\"d\":[\"2024\",\"05\"],"
                    + "\"drop\":\"x\",\"z\":1,\"a\":true}");

            assertThat(r.status()).isEqualTo(200);
            assertThat(x.received()).isEqualTo("{\"a\":true,\"count\":42,\"date\":\"2024-05\",\"extra\":2,"
                    + "\"id\":\"ab\",\"status\":\"active\",\"tags\":\"t1\",\"upper\":\"AB\",\"z\":1}");
        }
        assertThat(jolt.describe().detail()).isEqualTo("inline");
    }

    @Test
    void modifyDefineBetaOnlyFillsWhatIsMissing() throws Exception {
        Jolt jolt = Jolt.json("[{\"operation\":\"modify-define-beta\",\"spec\":{\"a\":\"kept?\",\"b\":\"=concat('x-',@(1,a))\"}}]")
                .build();
        assertThat(jolt.transform(Json.mapper().readTree("{\"a\":\"1\"}")).toString()).isEqualTo("{\"a\":\"1\",\"b\":\"x-1\"}");
    }

    @Test
    void badSpecFailsAtBuildNamingTheSpecAndTheJoltError(@TempDir Path dir) throws Exception {
        Path unknownOp = Files.writeString(dir.resolve("broken.json"), "[{\"operation\":\"shiftt\",\"spec\":{}}]");
        assertThatThrownBy(() -> Jolt.file(unknownOp).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(unknownOp.toAbsolutePath().toString())
                .hasMessageContaining("shiftt");

        Path notJson = Files.writeString(dir.resolve("nojson.json"), "[{\"operation\":");
        assertThatThrownBy(() -> Jolt.file(notJson).build())
                .hasMessageContaining("nojson.json").hasMessageContaining("not valid JSON");

        assertThatThrownBy(() -> Jolt.json("[{\"operation\":\"shift\",\"spec\":{\"a\":\"b[&1\"}}]").build())
                .hasMessageContaining("inline JOLT spec").hasMessageContaining("SpecException");

        assertThatThrownBy(() -> Jolt.classpath("specs/missing.json"))
                .hasMessageContaining("specs/missing.json").hasMessageContaining("not found");
    }

    @Test
    void nonJsonIsMalformedAndNeverReachesTheBackend() {
        try (Exchanges x = new Exchanges(Jolt.classpath("specs/rename.json").build())) {
            Response r = x.post("MSH|^~\\&|LEGACY");

            assertThat(r.status()).isEqualTo(400);
            assertThat(r.rejection()).get().extracting(Rejection::message).asString()
                    .contains("not valid JSON");
            assertThat(x.out.count()).isZero();
        }
    }

    @Test
    void payloadTheSpecCannotHandleIsInvalidWithAClearMessage() {
        String spec = "[{\"operation\":\"" + ExplodingTransform.class.getName() + "\"}]";
        try (Exchanges x = new Exchanges(Jolt.json(spec).build())) {
            assertThat(x.post("{\"ok\":1}").status()).isEqualTo(200);

            Response r = x.post("{\"explode\":true}");
            assertThat(r.status()).isEqualTo(422);
            assertThat(r.rejection().orElseThrow().message())
                    .isEqualTo("JOLT spec 'inline' cannot transform this request body: "
                            + "IllegalStateException: cannot handle field 'explode'");
            assertThat(x.out.count()).isEqualTo(1);
        }
    }

    @Test
    void payloadProducingNoOutputIsInvalid() {
        try (Exchanges x = new Exchanges(Jolt.classpath("specs/rename.json").build())) {
            Response r = x.post("{\"unrelated\":1}");

            assertThat(r.status()).isEqualTo(422);
            assertThat(r.rejection().orElseThrow().message()).contains("rename.json").contains("produced no output");
            assertThat(x.out.count()).isZero();
        }
    }

    @Test
    void onResponseTransformsSuccessfulAnswersAndBlamesTheUpstreamForGarbage() {
        Jolt jolt = Jolt.classpath("specs/rename.json").onResponse().build();
        try (Exchanges ok = Exchanges.answering(r -> Response.ok(Body.ofText("{\"first\":\"A\"}", "application/json")), jolt)) {
            Response r = ok.post("{\"untouched\":true}");
            assertThat(ok.received()).isEqualTo("{\"untouched\":true}");
            assertThat(r.body().text()).isEqualTo("{\"name\":{\"given\":\"A\"}}");
        }
        try (Exchanges bad = Exchanges.answering(r -> Response.ok(Body.ofText("<html>", "text/html")), jolt)) {
            Response r = bad.post("{}");
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.rejection().orElseThrow().message()).startsWith("upstream response: ").contains("not valid JSON");
        }
        try (Exchanges failed = Exchanges.answering(r -> Response.of(404), jolt)) {
            assertThat(failed.post("{}").status()).as("failures pass through untouched").isEqualTo(404);
        }
    }

    @Test
    void aTreeFromAnEarlierStageIsTransformedWithoutReparsing() {
        try (Exchanges x = new Exchanges(Normalize.json().build(), Jolt.classpath("specs/rename.json").build())) {
            Response r = x.post("{\"first\":\" Ada \",\"last\":\"\",\"x\":null}");

            assertThat(r.status()).isEqualTo(200);
            assertThat(x.received()).isEqualTo("{\"name\":{\"given\":\"Ada\"}}");
        }
    }

    @Test
    void emptyBodyIsMalformed() {
        try (Exchanges x = new Exchanges(Jolt.classpath("specs/rename.json").build())) {
            Response r = x.post("");
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.rejection().orElseThrow().message()).isEqualTo("request body is empty, expected JSON");
        }
    }

    @Test
    void inputTreeIsNotModifiedByOperationsThatMutate() throws Exception {
        Jolt jolt = Jolt.json("[{\"operation\":\"modify-overwrite-beta\",\"spec\":{\"a\":\"=toUpper\"}}]").build();
        var input = Json.mapper().readTree("{\"a\":\"x\"}");

        assertThat(jolt.transform(input).toString()).isEqualTo("{\"a\":\"X\"}");
        assertThat(input.toString()).isEqualTo("{\"a\":\"x\"}");
    }
}
