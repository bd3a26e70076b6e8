package dev.harmony.transform.middleware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.harmony.message.Response;
import dev.harmony.pipeline.Rejection;
import org.junit.jupiter.api.Test;

class JsonSchemaTest {
    private static final String PERSON_2020 = """
            {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
             "required":["mrn","name"],
             "properties":{
               "mrn":{"type":"string","minLength":3},
               "birthDate":{"type":"string","format":"date"},
               "name":{"type":"object","required":["family"],"properties":{"family":{"type":"string"}}},
               "phones":{"type":"array","items":{"type":"string","pattern":"^[0-9+ -]+$"}}}}
            """;

    @Test
    void validBodyPassesUnchangedAndStillParsed() {
        try (Exchanges x = new Exchanges(JsonSchema.json(PERSON_2020).build())) {
            Response r = x.post("{\"mrn\":\"123\",\"name\":{\"family\":\"Doe\"},\"birthDate\":\"1980-02-29\"}");

            assertThat(r.status()).isEqualTo(200);
            assertThat(x.seenByBackend.get().isParsedJson()).isTrue();
            assertThat(x.received()).isEqualTo("{\"mrn\":\"123\",\"name\":{\"family\":\"Doe\"},\"birthDate\":\"1980-02-29\"}");
        }
    }

    @Test
    void everyViolationIsReportedWithItsJsonPointer() {
        try (Exchanges x = new Exchanges(JsonSchema.json(PERSON_2020).build())) {
            Response r = x.post("{\"mrn\":\"1\",\"name\":{},\"birthDate\":\"1980-13-45\",\"phones\":[\"12\",\"x\"]}");

            assertThat(r.status()).isEqualTo(422);
            Rejection rejection = r.rejection().orElseThrow();
            assertThat(rejection.kind()).isEqualTo(Rejection.Kind.INVALID);
            assertThat(rejection.message()).isEqualTo("the request body does not match JSON schema 'inline' (4 violations)");
            assertThat(rejection.details()).extracting(Rejection.Issue::location)
                    .containsExactly("/birthDate", "/mrn", "/name", "/phones/1");
            assertThat(rejection.details().get(2).message()).contains("family");
            assertThat(rejection.details().get(0).message()).contains("date");
            assertThat(x.out.count()).isZero();
        }
    }

    @Test
    void draft7SchemasAreDetectedFromTheirSchemaKeyword() {
        JsonSchema schema = JsonSchema.json("""
                {"$schema":"http://json-schema.org/draft-07/schema#","type":"object",
                 "properties":{"a":{"type":"integer"}},"dependencies":{"a":["b"]}}
                """).build();
        assertThat(schema.describe().detail()).isEqualTo("JSON Schema (draft-07)");
        try (Exchanges x = new Exchanges(schema)) {
            Response r = x.post("{\"a\":\"no\"}");
            assertThat(r.status()).isEqualTo(422);
            assertThat(r.rejection().orElseThrow().details()).extracting(Rejection.Issue::location)
                    .containsExactlyInAnyOrder("", "/a");
        }
    }

    @Test
    void defaultDraftIs2020AndCanBeChosen() {
        assertThat(JsonSchema.json("{\"type\":\"object\"}").build().describe())
                .isEqualTo(new dev.harmony.pipeline.Stage.Description("Validation", "JSON Schema (draft 2020-12)"));
        assertThat(JsonSchema.json("{\"type\":\"object\"}").draft(JsonSchema.Draft.V7).build().describe().detail())
                .isEqualTo("JSON Schema (draft-07)");
    }

    @Test
    void formatAssertionsCanBeTurnedOff() {
        try (Exchanges x = new Exchanges(JsonSchema.json(PERSON_2020).formatAssertions(false).build())) {
            assertThat(x.post("{\"mrn\":\"123\",\"name\":{\"family\":\"D\"},\"birthDate\":\"soon\"}").status())
                    .isEqualTo(200);
        }
    }

    @Test
    void onResponseAnUpstreamAnswerThatFailsTheSchemaIsTheUpstreamsFault() {
        JsonSchema schema = JsonSchema.json(PERSON_2020).onResponse().build();
        try (Exchanges x = Exchanges.answering(r -> dev.harmony.message.Response.ok(
                dev.harmony.message.Body.ofText("{\"mrn\":\"12\"}", "application/json")), schema)) {
            Response r = x.post("{\"anything\":true}");

            assertThat(r.status()).isEqualTo(502);
            assertThat(r.rejection().orElseThrow().message())
                    .isEqualTo("upstream response: the response body does not match JSON schema 'inline' (2 violations)");
            assertThat(r.rejection().orElseThrow().details()).extracting(Rejection.Issue::location)
                    .containsExactly("", "/mrn");
        }
    }

    @Test
    void hugeFailuresAreListedUpToTheLimitAndCounted() {
        String schema = "{\"type\":\"array\",\"items\":{\"type\":\"integer\"}}";
        String body = "[" + String.join(",", java.util.Collections.nCopies(500, "\"x\"")) + "]";
        try (Exchanges x = new Exchanges(JsonSchema.json(schema).maxIssues(10).build())) {
            Rejection r = x.post(body).rejection().orElseThrow();

            assertThat(r.message()).endsWith("(500 violations)");
            assertThat(r.details()).hasSize(11);
            assertThat(r.details().get(10).message()).isEqualTo("... and 490 more violations");
        }
    }

    @Test
    void nonJsonIsMalformed() {
        try (Exchanges x = new Exchanges(JsonSchema.json(PERSON_2020).build())) {
            assertThat(x.post("{\"mrn\":").status()).isEqualTo(400);
        }
    }

    @Test
    void badSchemaFailsAtBuild() {
        assertThatThrownBy(() -> JsonSchema.json("{\"type\":").build())
                .hasMessageContaining("inline JSON schema").hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> JsonSchema.json("{\"$schema\":\"https://example.org/unknown-draft\"}").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inline JSON schema");
    }
}
