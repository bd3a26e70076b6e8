package dev.harmony.examples.fhirproxy;

import dev.harmony.fhir.OperationOutcomes;
import dev.harmony.http.backend.HttpForward;
import dev.harmony.http.frontend.HttpIngress;
import dev.harmony.http.middleware.JwtAuth;
import dev.harmony.http.middleware.RateLimit;
import dev.harmony.http.middleware.RateLimitKey;
import dev.harmony.pipeline.Pipeline;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Seed pipeline 2, the FHIR proxy: Mobile App / Patient Portal -> HTTP Ingress :8080/fhir -> Auth Guard
 * (OAuth2 / JWT) -> Rate Limit (100 req/min per subject) -> HTTP Forward -> upstream FHIR R4 server.
 * Every rejection is answered as a FHIR {@code OperationOutcome}. A legacy FHIR server gets modern
 * auth by standing behind it.
 */
public final class FhirProxyExample {
    public static final int DEFAULT_PORT = 8080;
    public static final String PREFIX = "/fhir";
    /** The upstream shown when the example is only drawn, not run. */
    public static final URI DIAGRAM_UPSTREAM = URI.create("http://127.0.0.1:8090/fhir");

    /**
     * What the example is made of.
     *
     * @param port ingress port (0 = any free one)
     * @param bindAddress address to listen on
     * @param upstream the FHIR server's base URL
     * @param auth the auth guard
     * @param rateLimit the rate limit
     */
    public record Options(int port, String bindAddress, URI upstream, JwtAuth auth, RateLimit rateLimit) {
        public Options {
            Objects.requireNonNull(bindAddress, "bindAddress");
            Objects.requireNonNull(upstream, "upstream");
            Objects.requireNonNull(auth, "auth");
            Objects.requireNonNull(rateLimit, "rateLimit");
        }
    }

    private FhirProxyExample() {
    }

    /** The pipeline with defaults and a throw-away HS256 secret, for diagrams (nothing is opened). */
    public static Pipeline pipeline() {
        return pipeline(new Options(DEFAULT_PORT, "127.0.0.1", DIAGRAM_UPSTREAM,
                JwtAuth.hmacSecret(DemoTokens.newSecret()).build(), defaultRateLimit()));
    }

    /** The pipeline as configured; start it with {@link Pipeline#start()}. */
    public static Pipeline pipeline(Options o) {
        return Pipeline.builder()
                .name("fhir-proxy")
                .source("Mobile App", "Patient Portal")
                .frontend(HttpIngress.port(o.port()).bind(o.bindAddress()).prefix(PREFIX)
                        .rejections(OperationOutcomes.renderer())
                        .build())
                .use(o.auth())
                .use(o.rateLimit())
                .backend(HttpForward.to(o.upstream())
                        .connectTimeout(Duration.ofSeconds(2))
                        .readTimeout(Duration.ofSeconds(30))
                        .build())
                .target("FHIR R4 Server", o.upstream().getHost() + ":" + o.upstream().getPort())
                .build();
    }

    /** 100 requests per minute per JWT subject. */
    public static RateLimit defaultRateLimit() {
        return RateLimit.perMinute(100).keyedBy(RateLimitKey.jwtSubject()).build();
    }

    /**
     * Parses {@code 100/min}, {@code 10/s}, {@code 1000/h} into a per-subject rate limit.
     *
     * @throws IllegalArgumentException naming the option
     */
    public static RateLimit parseRate(String spec) {
        String[] parts = spec.strip().toLowerCase(Locale.ROOT).split("/");
        if (parts.length != 2) {
            throw new IllegalArgumentException("option --rate expects N/s, N/min or N/h, got '" + spec + "'");
        }
        Duration period = switch (parts[1]) {
            case "s", "sec", "second" -> Duration.ofSeconds(1);
            case "m", "min", "minute" -> Duration.ofMinutes(1);
            case "h", "hour" -> Duration.ofHours(1);
            default -> throw new IllegalArgumentException("option --rate: unknown unit '" + parts[1]
                    + "' (use s, min or h)");
        };
        long n;
        try {
            n = Long.parseLong(parts[0]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option --rate expects a number before '/', got '" + spec + "'");
        }
        if (n < 1) {
            throw new IllegalArgumentException("option --rate must allow at least 1 request, got '" + spec + "'");
        }
        return RateLimit.of(n, period).keyedBy(RateLimitKey.jwtSubject()).build();
    }
}
