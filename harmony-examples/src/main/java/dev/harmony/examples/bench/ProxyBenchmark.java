package dev.harmony.examples.bench;

import dev.harmony.examples.fhirproxy.DemoTokens;
import dev.harmony.examples.fhirproxy.FhirProxyExample;
import dev.harmony.http.middleware.JwtAuth;
import dev.harmony.http.middleware.RateLimit;
import dev.harmony.http.middleware.RateLimitKey;
import dev.harmony.pipeline.Pipeline;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * FHIR proxy throughput: {@code wrk -t1 -c32} against (a) nginx as a plain reverse proxy (one worker,
 * upstream keepalive) and (b) the Harmony {@code fhir-proxy} pipeline (HS256 JWT verification, a rate
 * limit too high to trip, HttpForward), both in front of the same fixed nginx upstream answering
 * a FHIR Patient, in one run. Two legs: {@code GET /fhir/Patient/1} and {@code POST /fhir/Patient} with
 * a 2 KB JSON body (a wrk Lua script). Harmony is warmed up on each leg until the JIT has settled (a 5 s
 * step with almost no compiling), then nginx and Harmony are measured alternately for several rounds,
 * who goes first alternating too. Prints req/s, p50/p99, and per leg the median ratio ours/nginx, its
 * range and the ratio over all rounds together.
 *
 * <pre>
 * java -cp harmony-examples/target/harmony-examples.jar dev.harmony.examples.bench.ProxyBenchmark \
 *      [--seconds 10] [--connections 32] [--warmup 90] [--rounds 7] [--nginx-workers 1] [--legs get,post]
 * </pre>
 */
public final class ProxyBenchmark {
    private static final String PATIENT = "{\"resourceType\":\"Patient\",\"id\":\"1\",\"meta\":{\"versionId\":\"1\"},"
            + "\"identifier\":[{\"system\":\"urn:harmony:mrn\",\"value\":\"1001\"}],"
            + "\"name\":[{\"family\":\"Doe\",\"given\":[\"Jane\"]}],\"gender\":\"female\",\"birthDate\":\"1980-04-12\"}";
    private static final String ISSUER = "https://idp.bench/";
    private static final String AUDIENCE = "fhir-proxy";

    private int seconds = 10;
    private int connections = 32;
    private int warmup = 90;
    private int rounds = 7;
    private int nginxWorkers = 1;
    private List<String> legs = List.of("get", "post");

    private ProxyBenchmark() {
    }

    public static void main(String[] argv) throws Exception {
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        ProxyBenchmark b = new ProxyBenchmark();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            if (argv[i].equals("--legs")) {
                b.legs = List.of(argv[i + 1].split(","));
                if (!List.of("get", "post").containsAll(b.legs) || b.legs.isEmpty()) {
                    throw new IllegalArgumentException("--legs takes get, post or get,post");
                }
                continue;
            }
            int v = Integer.parseInt(argv[i + 1]);
            switch (argv[i]) {
                case "--seconds" -> b.seconds = v;
                case "--connections" -> b.connections = v;
                case "--warmup" -> b.warmup = v;
                case "--rounds" -> b.rounds = v;
                case "--nginx-workers" -> b.nginxWorkers = v;
                default -> throw new IllegalArgumentException("unknown option " + argv[i]);
            }
        }
        if (b.rounds < 1 || b.seconds < 1 || b.connections < 1) {
            throw new IllegalArgumentException("--rounds, --seconds and --connections must be at least 1");
        }
        b.run();
    }

    private void run() throws Exception {
        Path dir = Files.createTempDirectory("proxy-bench-");
        int upstreamPort = freePort();
        int nginxProxyPort = freePort();
        String secret = DemoTokens.newSecret();
        String token = "Bearer " + DemoTokens.sample(secret, ISSUER, AUDIENCE, Duration.ofHours(1));
        try (ProxyNginx upstream = ProxyNginx.start(dir.resolve("upstream"), 1, """
                    server {
                        listen 127.0.0.1:%d;
                        keepalive_requests 1000000;
                        location / { default_type application/fhir+json; return 200 '%s'; }
                    }
                """.formatted(upstreamPort, PATIENT), upstreamPort);
                ProxyNginx nginxProxy = ProxyNginx.start(dir.resolve("proxy"), nginxWorkers, """
                    upstream fixed { server 127.0.0.1:%d; keepalive 64; keepalive_requests 1000000; }
                    server {
                        listen 127.0.0.1:%d;
                        keepalive_requests 1000000;
                        location /fhir/ {
                            proxy_pass http://fixed/fhir/;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                            proxy_set_header Host $host;
                            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                            proxy_set_header X-Forwarded-Proto $scheme;
                        }
                    }
                """.formatted(upstreamPort, nginxProxyPort), nginxProxyPort);
                Pipeline ours = FhirProxyExample.pipeline(new FhirProxyExample.Options(0, "127.0.0.1",
                        URI.create("http://127.0.0.1:" + upstreamPort + "/fhir"),
                        JwtAuth.hmacSecret(secret).issuer(ISSUER).audience(AUDIENCE).build(),
                        RateLimit.perSecond(100_000_000).keyedBy(RateLimitKey.jwtSubject()).build()))) {
            ours.start();
            int ourPort = ((dev.harmony.http.frontend.HttpIngress) ours.frontend()).port();
            System.out.printf("upstream: nginx :%d; peer: nginx proxy :%d; ours: Harmony :%d%n", upstream.port(),
                    nginxProxy.port(), ourPort);
            System.out.printf("machine: %d cores, %s %s; wrk -t1 -c%d -d%ds; nginx proxy workers: %d%n",
                    Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                    System.getProperty("java.version"), connections, seconds, nginxWorkers);
            Path post = dir.resolve("post.lua");
            Files.writeString(post, postScript());
            for (String leg : legs) {
                boolean isPost = leg.equals("post");
                String path = isPost ? "/fhir/Patient" : "/fhir/Patient/1";
                Path script = isPost ? post : null;
                System.out.printf("%n== %s %s%s ==%n", isPost ? "POST" : "GET", path,
                        isPost ? " with a " + BODY.length() + " byte JSON body" : "");
                warmUp("http://127.0.0.1:" + ourPort + path, token, script);
                measure(leg, "http://127.0.0.1:" + nginxProxy.port() + path, "http://127.0.0.1:" + ourPort + path,
                        token, script);
            }
        } finally {
            deleteQuietly(dir);
        }
    }

    /** Rounds of nginx and Harmony alternately on one leg; prints each and the ratios. */
    private void measure(String leg, String nginxUrl, String ourUrl, String token, Path script)
            throws IOException, InterruptedException {
        System.out.printf("%-6s %-34s %10s %9s %9s %7s%n", "round", "proxy", "req/s", "p50 ms", "p99 ms", "errors");
        double[] ratios = new double[rounds];
        double nginxTotal = 0;
        double oursTotal = 0;
        for (int r = 0; r < rounds; r++) {
            // Who goes first alternates, so a machine drifting faster or slower favours neither.
            boolean nginxFirst = r % 2 == 0;
            ProxyWrk.Result first = ProxyWrk.run(nginxFirst ? nginxUrl : ourUrl, connections, seconds, token, script);
            ProxyWrk.Result second = ProxyWrk.run(nginxFirst ? ourUrl : nginxUrl, connections, seconds, token, script);
            ProxyWrk.Result nginx = nginxFirst ? first : second;
            ProxyWrk.Result harmony = nginxFirst ? second : first;
            print(r + 1, "nginx reverse proxy", nginx);
            print(r + 1, "Harmony (JWT + rate limit + fwd)", harmony);
            ratios[r] = harmony.requestsPerSecond() / nginx.requestsPerSecond();
            nginxTotal += nginx.requestsPerSecond();
            oursTotal += harmony.requestsPerSecond();
        }
        java.util.Arrays.sort(ratios);
        System.out.printf("%s ratio ours/nginx per round: %.2f to %.2f; all rounds together: %.2f%n", leg, ratios[0],
                ratios[rounds - 1], oursTotal / nginxTotal);
        System.out.printf("%s ratio ours/nginx (median of %d rounds): %.2f (target >= %.2f)%n", leg, rounds,
                ratios[rounds / 2], leg.equals("post") ? 0.7 : 0.8);
    }

    /** A FHIR Patient of about 2 KB, as a create from a portal would send. */
    private static final String BODY = "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"urn:harmony:mrn\","
            + "\"value\":\"1001\"}],\"name\":[{\"family\":\"Doe\",\"given\":[\"Jane\"]}],\"gender\":\"female\","
            + "\"birthDate\":\"1980-04-12\",\"text\":{\"status\":\"generated\",\"div\":\"<div xmlns=\\\"http://www.w3.org/1999/xhtml\\\">"
            + "x".repeat(1788) + "</div>\"}}";

    private static String postScript() {
        return "wrk.method = \"POST\"\n"
                + "wrk.headers[\"Content-Type\"] = \"application/fhir+json\"\n"
                + "wrk.body = [[" + BODY + "]]\n";
    }

    private static void print(int round, String name, ProxyWrk.Result r) {
        System.out.printf("%-6d %-34s %10.0f %9.2f %9.2f %7d%n", round, name, r.requestsPerSecond(), r.p50Millis(),
                r.p99Millis(), r.errors());
    }

    /**
     * Runs load on Harmony in 5 s steps until the JIT has settled: a step (after at least 20 s) in which
     * the JIT compilers spent under 1 % of the step compiling, or {@code --warmup} seconds at most.
     * (C2 needs several CPU-seconds for the Undertow, XNIO and pipeline paths; measuring earlier measures
     * the interpreter, and compiling during the rounds takes CPU from whichever proxy is measured.)
     */
    private void warmUp(String url, String token, Path script) throws IOException, InterruptedException {
        java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        for (int elapsed = 0; elapsed < warmup; elapsed += 5) {
            long compiledBefore = jit.getTotalCompilationTime();
            double rps = ProxyWrk.run(url, connections, 5, token, script).requestsPerSecond();
            long compiling = jit.getTotalCompilationTime() - compiledBefore;
            System.out.printf("warm-up %2d-%2d s: %.0f req/s, %d ms compiling%n", elapsed, elapsed + 5, rps, compiling);
            if (elapsed + 5 >= 20 && compiling < 50) {
                return;
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp directory
        }
    }
}
