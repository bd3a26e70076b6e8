package dev.harmony.hl7;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.harmony.hl7.middleware.Hl7ToJson;
import dev.harmony.message.Body;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.pipeline.Rejection;
import dev.harmony.testing.DirectFrontend;
import dev.harmony.testing.RecordingBackend;
import dev.harmony.transform.middleware.Jolt;
import org.junit.jupiter.api.Test;

/** The JSON form: segments, fields, repetitions, components, subcomponents, decoded escapes; and a JOLT spec on it. */
class Hl7ToJsonTest {
    static final String MESSAGE = "MSH|^~\\&|ADMIT|ST-MARYS|HARMONY|HUB|20240101120000||ADT^A01^ADT_A01|J1|P|2.5\r"
            + "PID|1||12345^^^ST-MARYS&1.2.3&ISO^MR~999-99-9999^^^SSA^SS||O\\S\\Brien^Mary\\T\\Ann^^^Dr||19800101|F"
            + "|||1 Main St\\F\\Apt 2^^Springfield^IL^62701\r"
            + "NK1|1|Doe^Jane\r"
            + "NK1|2|Doe^Joe\r";

    private JsonNode convert(String message, Jolt jolt) {
        RecordingBackend backend = RecordingBackend.answering(Response.ok());
        DirectFrontend front = DirectFrontend.speaking(Hl7.MLLP);
        var b = Pipeline.builder().name("json").frontend(front).use(Hl7ToJson.builder().build());
        if (jolt != null) {
            b.use(jolt);
        }
        try (Pipeline p = b.backend(backend).build()) {
            p.start();
            Response r = front.send(front.request("ADT^A01", "").body(Body.ofText(message, Hl7.ER7)));
            assertThat(r.isSuccess()).as(r.toString()).isTrue();
            return backend.last().request().body().json();
        }
    }

    @Test
    void theFormIsRegularAndDecodesEscapes() {
        JsonNode json = convert(MESSAGE, null);
        assertThat(json.at("/MSH/0/1/0/1").asText()).isEqualTo("|");
        assertThat(json.at("/MSH/0/2/0/1").asText()).isEqualTo("^~\\&");
        assertThat(json.at("/MSH/0/9/0/1").asText()).isEqualTo("ADT");
        assertThat(json.at("/MSH/0/9/0/2").asText()).isEqualTo("A01");
        assertThat(json.at("/MSH/0/10/0/1").asText()).isEqualTo("J1");
        JsonNode pid = json.at("/PID/0");
        assertThat(pid.at("/3")).hasSize(2);
        assertThat(pid.at("/3/0/1").asText()).isEqualTo("12345");
        assertThat(pid.at("/3/0/4").asText()).isEqualTo("ST-MARYS");
        assertThat(pid.at("/3/0/4.2").asText()).isEqualTo("1.2.3");
        assertThat(pid.at("/3/0/4.3").asText()).isEqualTo("ISO");
        assertThat(pid.at("/3/0/5").asText()).isEqualTo("MR");
        assertThat(pid.at("/3/1/4").asText()).isEqualTo("SSA");
        assertThat(pid.at("/3/0").has("2")).isFalse(); // empty components are left out
        assertThat(pid.has("2")).isFalse(); // and empty fields
        assertThat(pid.at("/5/0/1").asText()).isEqualTo("O^Brien");
        assertThat(pid.at("/5/0/2").asText()).isEqualTo("Mary&Ann");
        assertThat(pid.at("/5/0/5").asText()).isEqualTo("Dr");
        assertThat(pid.at("/11/0/1").asText()).isEqualTo("1 Main St|Apt 2");
        assertThat(pid.at("/8/0/1").asText()).isEqualTo("F");
        assertThat(json.at("/NK1")).hasSize(2);
        assertThat(json.at("/NK1/1/2/0/2").asText()).isEqualTo("Joe");
    }

    @Test
    void aJoltSpecMapsItWithoutCustomCode() {
        String spec = """
                [{"operation":"shift","spec":{"PID":{"0":{
                   "3":{"*":{"1":"identifier[&1].value","4":"identifier[&1].system"}},
                   "5":{"0":{"1":"name.family","2":"name.given"}},
                   "7":{"0":{"1":"birthDate"}}}}}}]
                """;
        JsonNode out = convert(MESSAGE, Jolt.json(spec).build());
        assertThat(out.at("/identifier/0/value").asText()).isEqualTo("12345");
        assertThat(out.at("/identifier/0/system").asText()).isEqualTo("ST-MARYS");
        assertThat(out.at("/identifier/1/system").asText()).isEqualTo("SSA");
        assertThat(out.at("/name/family").asText()).isEqualTo("O^Brien");
        assertThat(out.at("/birthDate").asText()).isEqualTo("19800101");
    }

    @Test
    void aBodyThatIsNotHl7IsMalformed() {
        DirectFrontend front = DirectFrontend.speaking(Hl7.MLLP);
        try (Pipeline p = Pipeline.builder().name("json").frontend(front).use(Hl7ToJson.builder().build())
                .backend(RecordingBackend.answering(Response.ok())).build()) {
            p.start();
            Response r = front.send(front.request("ADT^A01", "").body(Body.ofText("{\"a\":1}", Hl7.ER7)));
            assertThat(r.rejection()).map(Rejection::kind).contains(Rejection.Kind.MALFORMED);
        }
    }
}
