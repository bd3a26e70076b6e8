package dev.harmony.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.harmony.pipeline.Rejection;
import dev.harmony.pipeline.RejectionException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BodyTest {

    @Test
    void streamBodyIsHandedOutOnceUnlessBuffered() throws Exception {
        Body body = Body.ofStream(new ByteArrayInputStream("abc".getBytes(StandardCharsets.UTF_8)), 3, "text/plain");
        assertThat(body.isRepeatable()).isFalse();
        try (InputStream in = body.stream()) {
            assertThat(in.readAllBytes()).asString(StandardCharsets.UTF_8).isEqualTo("abc");
        }
        assertThatThrownBy(body::stream).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already consumed");
    }

    @Test
    void aDeclaredCharsetIsHonouredForJsonAndText() {
        String json = "{\"family\":\"Müller\",\"city\":\"Zürich\"}";
        Body latin1 = Body.ofBytes(json.getBytes(StandardCharsets.ISO_8859_1), "application/json; charset=ISO-8859-1");
        assertThat(latin1.json().path("family").textValue()).isEqualTo("Müller");
        assertThat(latin1.text()).isEqualTo(json);
        Body quoted = Body.ofBytes(json.getBytes(StandardCharsets.ISO_8859_1), "application/json;Charset=\"windows-1252\"");
        assertThat(quoted.json().path("city").textValue()).isEqualTo("Zürich");
        Body utf16 = Body.ofBytes(json.getBytes(StandardCharsets.UTF_16BE), "application/json; charset=UTF-16BE");
        assertThat(utf16.json().path("family").textValue()).isEqualTo("Müller");
        Body undeclared = Body.ofBytes(json.getBytes(StandardCharsets.UTF_8), "application/json");
        assertThat(undeclared.json().path("family").textValue()).isEqualTo("Müller");
    }

    @Test
    void anUnknownCharsetIs415NotAGuess() {
        for (String type : new String[] {"application/json; charset=x-klingon", "application/json; charset=\"\"",
                "text/plain; charset=utf-8\u0000"}) {
            Body body = Body.ofBytes("{}".getBytes(StandardCharsets.UTF_8), type);
            assertThatThrownBy(body::json).as(type).isInstanceOfSatisfying(RejectionException.class, e -> {
                assertThat(e.rejection().kind()).isEqualTo(Rejection.Kind.UNSUPPORTED);
                assertThat(e.rejection().message()).contains("charset").contains("is not supported");
            });
            assertThatThrownBy(body::text).as(type).isInstanceOf(RejectionException.class);
        }
        String longName = "x".repeat(500);
        assertThatThrownBy(() -> Body.ofBytes(new byte[] {'{', '}'}, "application/json; charset=" + longName).json())
                .isInstanceOfSatisfying(RejectionException.class,
                        e -> assertThat(e.rejection().message().length()).isLessThan(200));
    }

    @Test
    void bufferingMakesAStreamBodyRepeatable() {
        Body body = Body.ofStream(new ByteArrayInputStream("{\"a\":1}".getBytes(StandardCharsets.UTF_8)), -1, null);
        assertThat(body.text()).isEqualTo("{\"a\":1}");
        assertThat(body.bytes()).hasSize(7);
        assertThat(body.isRepeatable()).isTrue();
        assertThat(body.length()).isEqualTo(7);
    }

    @Test
    void jsonIsParsedOnceAndShared() {
        AtomicInteger reads = new AtomicInteger();
        InputStream counting = new ByteArrayInputStream("{\"name\":\"Ada\"}".getBytes(StandardCharsets.UTF_8)) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                reads.incrementAndGet();
                return super.read(b, off, len);
            }
        };
        Body body = Body.ofStream(counting, -1, Body.JSON);
        JsonNode first = body.json();
        int readsAfterFirst = reads.get();
        assertThat(body.json()).isSameAs(first);
        assertThat(body.isParsedJson()).isTrue();
        assertThat(reads.get()).isEqualTo(readsAfterFirst);
        assertThat(first.get("name").asText()).isEqualTo("Ada");
    }

    @Test
    void jsonTreeBodySerialisesOnlyWhenAskedForBytes() {
        JsonNode tree = Json.mapper().createObjectNode().put("resourceType", "Patient");
        Body body = Body.ofJson(tree);
        assertThat(body.json()).isSameAs(tree);
        assertThat(body.length()).isEqualTo(-1);
        assertThat(body.text()).isEqualTo("{\"resourceType\":\"Patient\"}");
        assertThat(body.contentType()).contains(Body.JSON);
    }

    @Test
    void malformedJsonIsAMalformedRejectionWithLocation() {
        Body body = Body.ofText("{\"a\": tru", "application/json");
        assertThatThrownBy(body::json).isInstanceOfSatisfying(RejectionException.class, e -> {
            assertThat(e.rejection().kind()).isEqualTo(Rejection.Kind.MALFORMED);
            assertThat(e.rejection().message()).startsWith("request body is not valid JSON").contains("line 1");
        });
        assertThatThrownBy(() -> Body.empty().json()).isInstanceOfSatisfying(RejectionException.class,
                e -> assertThat(e.rejection().message()).contains("empty"));
    }

    @Test
    void bufferingStopsAtTheLimitEvenWhenLengthIsUnknown() {
        byte[] data = new byte[1001];
        Body body = Body.ofStream(new ByteArrayInputStream(data), -1, null).withLimit(1000);
        assertThatThrownBy(body::bytes).isInstanceOfSatisfying(RejectionException.class,
                e -> assertThat(e.rejection().kind()).isEqualTo(Rejection.Kind.PAYLOAD_TOO_LARGE));
    }

    @Test
    void declaredLengthOverTheLimitFailsWithoutReading() {
        AtomicInteger reads = new AtomicInteger();
        InputStream in = new InputStream() {
            @Override
            public int read() {
                reads.incrementAndGet();
                return 0;
            }
        };
        Body body = Body.ofStream(in, 5_000_000, null).withLimit(1_000_000);
        assertThatThrownBy(body::text).isInstanceOf(RejectionException.class).hasMessageContaining("1000000 bytes");
        assertThat(reads.get()).isZero();
    }

    @Test
    void exactlyTheLimitIsAccepted() {
        Body body = Body.ofStream(new ByteArrayInputStream(new byte[1000]), -1, null).withLimit(1000);
        assertThat(body.bytes()).hasSize(1000);
    }

    @Test
    void fileBodyIsRepeatableAndStreamsWithoutBuffering(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("x.bin");
        Files.write(f, new byte[] {1, 2, 3, 4});
        Body body = Body.ofFile(f, "application/octet-stream");
        assertThat(body.length()).isEqualTo(4);
        assertThat(body.file()).contains(f);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(body.writeTo(out)).isEqualTo(4);
        assertThat(body.stream().readAllBytes()).containsExactly(1, 2, 3, 4);
        assertThat(out.toByteArray()).containsExactly(1, 2, 3, 4);
    }

    @Test
    void textUsesTheCharsetOfTheContentType() {
        byte[] latin1 = "café".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(Body.ofBytes(latin1, "text/plain; charset=ISO-8859-1").text()).isEqualTo("café");
        assertThat(Body.ofBytes("café".getBytes(StandardCharsets.UTF_8), "text/plain").text()).isEqualTo("café");
    }

    @Test
    void bytesAreCopiedOnTheWayIn() {
        byte[] data = {1, 2};
        Body body = Body.ofBytes(data, null);
        data[0] = 9;
        assertThat(body.bytes()).containsExactly(1, 2);
    }

    /** A source that answers each read from another thread, reusing one buffer, as a network source does. */
    private static Body.Source pieces(byte[] content, int piece, Throwable failAtEnd) {
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(piece);
        int[] at = {0};
        return new Body.Source() {
            @Override
            public void read(Body.Reader reader) {
                new Thread(() -> {
                    buffer.clear(); // reused, as a network source reuses its buffer
                    if (at[0] == content.length) {
                        if (failAtEnd != null) {
                            reader.onError(failAtEnd);
                        } else {
                            reader.onEnd();
                        }
                        return;
                    }
                    int n = Math.min(piece, content.length - at[0]);
                    buffer.put(content, at[0], n).flip();
                    at[0] += n;
                    reader.onData(buffer);
                }).start();
            }

            @Override
            public void cancel() {
                at[0] = -1;
            }
        };
    }

    @Test
    void aSourceBodyReadsBlockingThroughItsStreamAndHandsItsSourceOutOnce() throws Exception {
        byte[] content = new byte[10_000];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) i;
        }
        Body body = Body.ofSource(pieces(content, 777, null), content.length, "application/octet-stream");
        assertThat(body.isRepeatable()).isFalse();
        assertThat(body.bytes()).isEqualTo(content);
        assertThat(body.source()).isEmpty();

        Body limited = Body.ofSource(pieces(content, 1000, null), -1, null).withLimit(9_999);
        assertThatThrownBy(limited::bytes).isInstanceOf(RejectionException.class);

        Body once = Body.ofSource(pieces(content, 1000, null), -1, null);
        assertThat(once.source()).isPresent();
        assertThat(once.source()).isEmpty();
        assertThatThrownBy(once::stream).isInstanceOf(IllegalStateException.class);

        Body failing = Body.ofSource(pieces(content, 4096, new java.io.IOException("client gone")), -1, null);
        try (InputStream in = failing.stream()) {
            assertThatThrownBy(in::readAllBytes).isInstanceOf(java.io.IOException.class).hasMessage("client gone");
        }
        RejectionException slow = Rejection.malformed("too slow").toException();
        Body rejected = Body.ofSource(pieces(content, 4096, slow), -1, null);
        assertThatThrownBy(rejected::bytes).isSameAs(slow);
    }
}
