package dev.harmony.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class HeadersTest {

    @Test
    void lookupsIgnoreCaseAndKeepAllValuesInOrder() {
        Headers h = Headers.builder().add("Accept", "a").add("ACCEPT", "b").add("X-Id", "1").build();
        assertThat(h.all("accept")).containsExactly("a", "b");
        assertThat(h.first("x-id")).contains("1");
        assertThat(h.names()).containsExactly("Accept", "X-Id");
        assertThat(h.first("missing")).isEmpty();
    }

    @Test
    void withReplacesAndWithoutRemovesLeavingTheOriginalUnchanged() {
        Headers h = Headers.of("Accept", "a", "Accept", "b");
        Headers replaced = h.with("accept", "c");
        assertThat(replaced.all("Accept")).containsExactly("c");
        assertThat(h.all("Accept")).containsExactly("a", "b");
        assertThat(replaced.without("ACCEPT").isEmpty()).isTrue();
    }

    @Test
    void badInputIsRefused() {
        assertThatThrownBy(() -> Headers.of("only-name")).hasMessageContaining("odd count");
        assertThatThrownBy(() -> Headers.of(" X", "1")).hasMessageContaining("invalid header name");
        assertThatThrownBy(() -> Headers.of("X-A\r\nSet-Cookie", "1")).hasMessageContaining("invalid header name");
        assertThatThrownBy(() -> Headers.of("X:Y", "1")).hasMessageContaining("invalid header name");
        assertThatThrownBy(() -> Headers.of("X", null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void attributesAreTypedAndImmutable() {
        Attribute<String> calling = Attribute.of("dicom.calling-ae", String.class);
        Attributes a = Attributes.empty().with(calling, "CT1");
        Attributes b = a.with(Attribute.REMOTE_ADDRESS, new InetSocketAddress("127.0.0.1", 4000));
        assertThat(a.get(calling)).contains("CT1");
        assertThat(a.contains(Attribute.REMOTE_ADDRESS)).isFalse();
        assertThat(b.require(Attribute.REMOTE_ADDRESS).getPort()).isEqualTo(4000);
        assertThatThrownBy(() -> a.require(Attribute.PRINCIPAL)).hasMessageContaining("'principal' is not set");
    }

    @Test
    void sameNameDifferentKeyDoesNotCollide() {
        Attribute<String> one = Attribute.of("k", String.class);
        Attribute<String> two = Attribute.of("k", String.class);
        Attributes a = Attributes.empty().with(one, "1");
        assertThat(a.get(two)).isEmpty();
    }

    @Test
    void requestCopiesAreIndependent() {
        Request r = Request.builder(Protocol.HTTP, "GET").path("/Patient").query("name=x").header("A", "1").build();
        Request r2 = r.withHeader("A", "2").with(Attribute.PRINCIPAL, "alice");
        assertThat(r.headers().first("A")).contains("1");
        assertThat(r2.headers().first("A")).contains("2");
        assertThat(r2.attribute(Attribute.PRINCIPAL)).contains("alice");
        assertThat(r2.toString()).isEqualTo("HTTP GET /Patient?name=x");
    }

    @Test
    void responseStatusIsChecked() {
        assertThatThrownBy(() -> Response.of(42)).hasMessageContaining("100..599");
        assertThat(Response.of(204).isSuccess()).isTrue();
        assertThat(Response.of(404).isSuccess()).isFalse();
    }
}
