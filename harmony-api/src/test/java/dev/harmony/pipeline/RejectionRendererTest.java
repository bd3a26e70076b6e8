package dev.harmony.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.message.Response;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RejectionRendererTest {

    @Test
    void plainJsonCarriesKindMessageReasonAndDetails() {
        Rejection r = Rejection.invalid("2 problems", List.of(new Rejection.Issue("/birthDate", "bad date"),
                new Rejection.Issue("", "missing name"))).withReason("schema");
        assertThat(RejectionRenderer.json().render(r).text()).isEqualTo(
                "{\"error\":\"invalid\",\"message\":\"2 problems\",\"reason\":\"schema\",\"details\":["
                        + "{\"location\":\"/birthDate\",\"message\":\"bad date\"},"
                        + "{\"location\":\"\",\"message\":\"missing name\"}]}");
    }

    @Test
    void retryAfterIsRoundedUpToWholeSeconds() {
        Rejection r = Rejection.tooManyRequests("slow down", Duration.ofMillis(300));
        assertThat(RejectionRenderer.json().render(r).json().get("retryAfterSeconds").asLong()).isEqualTo(1);
    }

    @Test
    void everyKindHasTheHttpStatusFrontendsUse() {
        assertThat(Response.rejected(Rejection.unauthenticated("x")).status()).isEqualTo(401);
        assertThat(Response.rejected(Rejection.payloadTooLarge("x")).status()).isEqualTo(413);
        assertThat(Response.rejected(Rejection.upstreamUnavailable("x")).status()).isEqualTo(502);
        assertThat(Response.rejected(Rejection.upstreamTimeout("x")).status()).isEqualTo(504);
        assertThat(Response.rejected(Rejection.unsupported("x")).status()).isEqualTo(415);
        assertThat(Response.rejected(Rejection.unavailable("x")).status()).isEqualTo(503);
    }
}
