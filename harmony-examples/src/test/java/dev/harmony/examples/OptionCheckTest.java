package dev.harmony.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every option is checked before anything starts: a bad value, an unknown option, a missing value, a
 * malformed AE@host:port, an unreadable file or two options that conflict is a message naming the option
 * and exit 2, with nothing printed on stdout and nothing started (no Harmony log line at all: a started
 * pipeline or listener always logs one).
 */
class OptionCheckTest {
    @TempDir
    static Path tmp;
    private final RunnerHarness runner = new RunnerHarness();
    private final List<LogRecord> logged = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            synchronized (logged) {
                logged.add(r);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureHarmonyLogs() {
        Logger.getLogger(Logging.HARMONY).addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        Logger.getLogger(Logging.HARMONY).removeHandler(capture);
    }

    static Stream<Arguments> badCommandLines() throws Exception {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        String missing = tmp.resolve("missing.json").toString();
        return Stream.of(
                // values
                bad("option --dashboard expects [ADDR:]PORT with PORT 0..65535, got 'localhost:abc'",
                        "all", "--dashboard", "localhost:abc"),
                bad("option --proxy-port must be 0..65535, got 70000", "all", "--proxy-port", "70000"),
                bad("option --dicom-port expects a number, got 'ten'", "all", "--dicom-port", "ten"),
                bad("option --upstream expects an absolute http(s) URL, got 'fhir.local/fhir'",
                        "all", "--upstream", "fhir.local/fhir"),
                bad("option --dicom-ae: 'HARMONY\\1' is not a valid AE title", "all", "--dicom-ae", "HARMONY\\1"),
                bad("option --dicom-dir: '" + file + "/dicom' is not a directory", "all", "--dicom-dir", file + "/dicom"),
                bad("option --port must be 0..65535, got -1", "dicom-scp", "--port", "-1"),
                bad("option --ae-title: 'SEVENTEEN-CHARS-X' is not a valid AE title", "dicom-scp", "--ae-title",
                        "SEVENTEEN-CHARS-X"),
                bad("option --allow-calling-ae: 'B\\C' is not a valid AE title", "dicom-scp", "--allow-calling-ae",
                        "A,B\\C"),
                bad("option --forward-to expects AE@host:port (e.g. PACS@127.0.0.1:4242)", "dicom-scp", "--forward-to",
                        "PACS@127.0.0.1"),
                bad("option --forward-to expects AE@host:port", "dicom-scp", "--forward-to", "PACS@127.0.0.1:99999"),
                bad("option --forward-to expects AE@host:port", "dicom-scp", "--forward-to", "127.0.0.1:4242"),
                bad("option --bind: unknown address 'no-such-host.invalid'", "dicom-scp", "--bind",
                        "no-such-host.invalid"),
                bad("option --dir: '" + file + "' is not a directory", "dicom-scp", "--dir", file.toString()),
                bad("option --dashboard: unknown address 'no-such-host.invalid'", "dicom-scp", "--dashboard",
                        "no-such-host.invalid:9090"),
                bad("option --jwt-public-key: cannot read '" + missing + "' (no such file)", "fhir-proxy",
                        "--jwt-public-key", missing),
                bad("option --jwt-public-key: JwtAuth.publicKeyPem", "fhir-proxy", "--jwt-public-key", file.toString()),
                bad("option --jwt-hs256-secret: JwtAuth.hmacSecret: the secret must be at least 32 bytes",
                        "fhir-proxy", "--jwt-hs256-secret", "short"),
                bad("give at most one of --jwt-hs256-secret, --jwt-public-key and --jwks-url", "fhir-proxy",
                        "--jwt-hs256-secret", "0123456789abcdef0123456789abcdef", "--jwks-url", "http://127.0.0.1:1/jwks"),
                bad("option --jwks-url expects an absolute http(s) URL, got 'file:///etc/keys'", "fhir-proxy",
                        "--jwks-url", "file:///etc/keys"),
                bad("option --rate: unknown unit 'fortnight'", "fhir-proxy", "--rate", "5/fortnight"),
                bad("option --spec: cannot read '" + missing + "' (no such file)", "jolt-fhir", "--spec", missing),
                bad("option --spec: cannot read '" + tmp + "' (a directory)", "jolt-fhir", "--spec", tmp.toString()),
                bad("option --path expects a path such as /webhook/patient, got 'webhook'", "jolt-fhir", "--path",
                        "webhook"),
                bad("option --fhir-base expects an absolute http(s) URL, got 'ftp://x/fhir'", "jolt-fhir",
                        "--fhir-base", "ftp://x/fhir"),
                bad("option --count must be 1..1000, got 0", "sample-ct", tmp.resolve("ct").toString(), "--count", "0"),
                bad("DIR: '" + file + "' is not a directory", "sample-ct", file.toString()),
                bad("option --format must be text, mermaid or svg, got 'png'", "diagram", "--format", "png"),
                // the command line itself
                bad("unknown option --colour", "diagram", "--colour", "red"),
                bad("unknown option --dicom-prot", "all", "--dicom-prot", "11112"),
                bad("option --dicom-port needs a value", "all", "--dicom-port"),
                bad("option --dashboard needs a value", "all", "--dashboard", "--no-dashboard"),
                bad("option --port is given twice", "dicom-scp", "--port", "1", "--port", "2"),
                bad("option --no-dashboard takes no value", "all", "--no-dashboard=yes"),
                bad("missing DIR", "sample-ct"),
                bad("unexpected argument 'b'", "sample-ct", "a", "b"),
                bad("unexpected argument 'extra'", "all", "extra"),
                // conflicts
                bad("options --dashboard and --no-dashboard cannot be given together", "all", "--dashboard", "9091",
                        "--no-dashboard"),
                bad("--proxy-port and --dashboard both use port 9090; give one of them another port", "all",
                        "--proxy-port", "9090"),
                bad("--dicom-port and --proxy-port both use port 8080", "all", "--dicom-port", "8080"),
                bad("--webhook-port and --fhir-port both use port 7000", "demo", "--webhook-port", "7000", "--fhir-port",
                        "7000"),
                bad("option --fhir-port has no effect: --upstream and --fhir-base both name an external FHIR server",
                        "all", "--upstream", "http://127.0.0.1:1/fhir", "--fhir-base", "http://127.0.0.1:1/fhir",
                        "--fhir-port", "8090"),
                bad("option --forward-to names this listener itself (port 11112)", "dicom-scp", "--forward-to",
                        "PACS@localhost:11112"),
                bad("--port and --dashboard both use port 11112", "dicom-scp", "--dashboard", "127.0.0.1:11112"),
                bad("--port and --dashboard both use port 8080", "fhir-proxy", "--dashboard", "8080"),
                bad("--port and --dashboard both use port 8081", "jolt-fhir", "--dashboard", "8081"),
                bad("option --port must be 0..65535, got 65536", "mllp-fhir", "--port", "65536"),
                bad("option --spec: cannot read '" + missing + "' (no such file)", "mllp-fhir", "--spec", missing),
                bad("option --fhir-base expects an absolute http(s) URL, got 'fhir'", "mllp-fhir", "--fhir-base",
                        "fhir"),
                bad("--port and --dashboard both use port 2575", "mllp-fhir", "--dashboard", "2575"),
                bad("option --mllp-port must be 0..65535, got -2", "all", "--mllp-port", "-2"),
                bad("--webhook-port and --mllp-port both use port 7001", "demo", "--webhook-port", "7001",
                        "--mllp-port", "7001"));
    }

    private static Arguments bad(String message, String... argv) {
        return Arguments.of(String.join(" ", argv), message, argv);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badCommandLines")
    void isRefusedNamingTheOptionBeforeAnythingStarts(String line, String message, String[] argv) {
        int code = runner.run(argv);

        assertThat(code).as(runner.err()).isEqualTo(2);
        String command = argv.length == 0 ? "" : argv[0];
        assertThat(runner.err()).startsWith(command + ": ").contains(message).contains("usage: ")
                .doesNotContain("\tat ");
        assertThat(runner.out()).isEmpty();
        synchronized (logged) {
            assertThat(logged).as("nothing started, so nothing logged").isEmpty();
        }
    }
}
