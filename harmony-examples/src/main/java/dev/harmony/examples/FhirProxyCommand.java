package dev.harmony.examples;

import dev.harmony.examples.fhirproxy.FhirProxyExample;
import dev.harmony.examples.fhirproxy.FhirProxyServer;
import dev.harmony.http.middleware.JwtAuth;
import dev.harmony.http.middleware.RateLimit;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code fhir-proxy [--port 8080] [--upstream URL] [--jwt-hs256-secret S | --jwt-public-key PEM | --jwks-url URL]
 * [--issuer I] [--audience A] [--rate 100/min]}: runs the FHIR proxy example until Ctrl-C (the pipeline
 * itself is {@link FhirProxyExample}).
 */
final class FhirProxyCommand implements Command {

    @Override
    public String name() {
        return "fhir-proxy";
    }

    @Override
    public String summary() {
        return "HTTP ingress -> JWT auth guard -> rate limit -> forward to a FHIR R4 server";
    }

    @Override
    public String usage() {
        return """
                usage: fhir-proxy [--port 8080] [--bind 127.0.0.1] [--upstream URL]
                                  [--jwt-hs256-secret S | --jwt-public-key PEM | --jwks-url URL]
                                  [--issuer I] [--audience A] [--rate 100/min] [--dashboard [ADDR:]PORT]
                  --port              proxy port (default 8080, 0 = any free port); FHIR base is /fhir
                  --bind              address to listen on (default 127.0.0.1; 0.0.0.0 for all)
                  --upstream          FHIR R4 base URL; default: an embedded server with sample patients
                  --jwt-hs256-secret  verify HS256/384/512 tokens with this shared secret (>= 32 bytes)
                  --jwt-public-key    verify RS*/ES* tokens with this PEM public key (file path or PEM text)
                  --jwks-url          verify RS*/ES* tokens with the keys published at this JWKS URL
                                      (no key option: a secret is generated and a sample token printed)
                  --issuer            required iss claim
                  --audience          required aud claim
                  --rate              requests per JWT subject, e.g. 100/min (default), 10/s, 1000/h
                  --dashboard         also serve the live dashboard on [ADDR:]PORT
                """;
    }

    @Override
    public Set<String> valuedOptions() {
        return Set.of("port", "bind", "upstream", "jwt-hs256-secret", "jwt-public-key", "jwks-url", "issuer",
                "audience", "rate", DashboardOption.OPTION);
    }

    @Override
    public Run prepare(Args args) {
        int port = args.port("port", FhirProxyExample.DEFAULT_PORT);
        String bind = args.address("bind").orElse("127.0.0.1");
        URI upstream = args.url("upstream").orElse(null);
        FhirProxyServer.Keys keys = new FhirProxyServer.Keys(args.get("jwt-hs256-secret").orElse(null),
                args.get("jwt-public-key").map(FhirProxyCommand::pem).orElse(null),
                args.url("jwks-url").orElse(null),
                args.get("issuer").orElse(null), args.get("audience").orElse(null));
        checkKeys(keys);
        RateLimit rate = args.get("rate").map(FhirProxyExample::parseRate).orElse(FhirProxyExample.defaultRateLimit());
        DashboardOption.Spec dashboard = DashboardOption.requested(args);
        Args.requireDistinctPorts(DicomScpCommand.ports(port, dashboard));
        return out -> {
            try (Startup startup = new Startup()) {
                startup.start("--port", port,
                        () -> FhirProxyServer.start(port, bind, upstream, keys, rate, startup.announce()));
                if (dashboard != null) {
                    startup.start("--dashboard", dashboard.port(), () -> dashboard.start(startup.announce(), null));
                }
                startup.ready(out);
                Serving.untilStopped(name(), startup);
            }
            return 0;
        };
    }

    /** Parses the secret or PEM key now, so a short secret or a bad key stops the command before it starts. */
    private static void checkKeys(FhirProxyServer.Keys keys) {
        try {
            if (keys.hs256Secret() != null) {
                JwtAuth.hmacSecret(keys.hs256Secret());
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("option --jwt-hs256-secret: " + e.getMessage(), e);
        }
        try {
            if (keys.publicKeyPem() != null) {
                JwtAuth.publicKeyPem(keys.publicKeyPem());
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("option --jwt-public-key: " + e.getMessage(), e);
        }
    }

    /** A PEM given inline or as a file path. */
    private static String pem(String value) {
        if (value.contains("-----BEGIN")) {
            return value;
        }
        Path file = Path.of(value);
        try {
            if (!Files.isRegularFile(file)) {
                throw new IOException(Files.isDirectory(file) ? "a directory" : "no such file");
            }
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("option --jwt-public-key: cannot read '" + value + "' (" + e.getMessage()
                    + "); give a PEM file or the PEM text itself");
        }
    }
}
