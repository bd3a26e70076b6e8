package dev.harmony.examples.fhirproxy;

import dev.harmony.fhir.server.EmbeddedFhirServer;
import dev.harmony.http.frontend.HttpIngress;
import dev.harmony.http.middleware.JwtAuth;
import dev.harmony.http.middleware.RateLimit;
import dev.harmony.pipeline.Pipeline;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;

/**
 * The running example as the {@code fhir-proxy} command starts it: the pipeline, plus an embedded FHIR
 * R4 server as the upstream when none is given, and a generated HS256 secret with a sample token when
 * no key is given. {@link #close()} stops everything.
 */
public final class FhirProxyServer implements AutoCloseable {

    /**
     * Where tokens are verified against: exactly one of secret, PEM public key or JWKS URL, or none
     * (then a secret is generated and a sample token printed).
     */
    public record Keys(String hs256Secret, String publicKeyPem, URI jwksUrl, String issuer, String audience) {
        public Keys {
            int given = (hs256Secret != null ? 1 : 0) + (publicKeyPem != null ? 1 : 0) + (jwksUrl != null ? 1 : 0);
            if (given > 1) {
                throw new IllegalArgumentException(
                        "give at most one of --jwt-hs256-secret, --jwt-public-key and --jwks-url");
            }
        }
    }

    private final Pipeline pipeline;
    private final EmbeddedFhirServer embedded;
    private final URI upstream;
    private final String sampleToken;

    private FhirProxyServer(Pipeline pipeline, EmbeddedFhirServer embedded, URI upstream, String sampleToken) {
        this.pipeline = pipeline;
        this.embedded = embedded;
        this.upstream = upstream;
        this.sampleToken = sampleToken;
    }

    /**
     * Starts the proxy and prints {@code READY fhir-proxy <port>} (plus a sample token and curl line
     * when the secret was generated) to {@code out}.
     *
     * @param upstream the FHIR server, or null for an embedded one with sample patients
     */
    public static FhirProxyServer start(int port, String bindAddress, URI upstream, Keys keys, RateLimit rate,
            PrintStream out) {
        EmbeddedFhirServer embedded = upstream == null ? EmbeddedFhirServer.seeded().start() : null;
        Pipeline pipeline = null;
        try {
            URI target = embedded != null ? embedded.baseUrl() : upstream;
            String generated = keys.hs256Secret() == null && keys.publicKeyPem() == null && keys.jwksUrl() == null
                    ? DemoTokens.newSecret() : null;
            JwtAuth auth = auth(keys, generated);
            pipeline = FhirProxyExample.pipeline(new FhirProxyExample.Options(port, bindAddress, target, auth, rate));
            pipeline.start();
            String token = generated == null ? null
                    : DemoTokens.sample(generated, keys.issuer(), keys.audience(), Duration.ofHours(1));
            FhirProxyServer running = new FhirProxyServer(pipeline, embedded, target, token);
            running.announce(out, bindAddress);
            return running;
        } catch (RuntimeException e) {
            if (pipeline != null) {
                pipeline.close();
            }
            if (embedded != null) {
                embedded.close();
            }
            throw e;
        }
    }

    private static JwtAuth auth(Keys keys, String generatedSecret) {
        JwtAuth.Builder b;
        if (keys.publicKeyPem() != null) {
            b = JwtAuth.publicKeyPem(keys.publicKeyPem());
        } else if (keys.jwksUrl() != null) {
            b = JwtAuth.jwks(keys.jwksUrl());
        } else {
            b = JwtAuth.hmacSecret(keys.hs256Secret() != null ? keys.hs256Secret() : generatedSecret);
        }
        if (keys.issuer() != null) {
            b.issuer(keys.issuer());
        }
        if (keys.audience() != null) {
            b.audience(keys.audience());
        }
        return b.build();
    }

    /** The proxy's port. */
    public int port() {
        return ((HttpIngress) pipeline.frontend()).port();
    }

    /** The proxy's FHIR base, e.g. {@code http://127.0.0.1:8080/fhir}. */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port() + FhirProxyExample.PREFIX);
    }

    /** The upstream FHIR base. */
    public URI upstream() {
        return upstream;
    }

    /** The sample token, if the secret was generated. */
    public String sampleToken() {
        return sampleToken;
    }

    /** The embedded upstream, if one was started. */
    public EmbeddedFhirServer embeddedUpstream() {
        return embedded;
    }

    public Pipeline pipeline() {
        return pipeline;
    }

    private void announce(PrintStream out, String bindAddress) {
        out.println("READY fhir-proxy " + port());
        out.println("proxy: http://" + bindAddress + ":" + port() + FhirProxyExample.PREFIX + " -> " + upstream
                + (embedded != null ? " (embedded FHIR R4 server, 3 sample patients)" : ""));
        if (sampleToken != null) {
            out.println("generated an HS256 secret for this run; a sample token (subject demo-user, 1 h):");
            out.println("  " + sampleToken);
            out.println("try:");
            out.println("  curl -sS -H 'Authorization: Bearer " + sampleToken + "' '" + baseUrl() + "/Patient?family=Doe'");
        }
        out.flush();
    }

    @Override
    public void close() {
        pipeline.close();
        if (embedded != null) {
            embedded.close();
        }
    }
}
