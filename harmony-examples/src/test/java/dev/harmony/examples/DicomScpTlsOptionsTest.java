package dev.harmony.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * dicom-scp's --tls-* and --accept-private-sop-classes options: mistakes are usage errors (exit 2);
 * a forked runner serves DCMTK echoscu/storescu over TLS with client certificates and stores a
 * private-SOP-class object that storescu proposes from a configuration profile.
 */
class DicomScpTlsOptionsTest {
    private static final String PRIVATE_CLASS = "1.3.6.1.4.1.9590.100.1.2.999";

    @TempDir
    Path tmp;
    private final RunnerHarness runner = new RunnerHarness();

    private void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).directory(tmp.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + out).isZero();
    }

    private void openssl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(RunnerProcess.tool("openssl")));
        command.addAll(List.of(args));
        run(command);
    }

    private void certificates() throws Exception {
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
                "-subj", "/CN=Test CA");
        for (String who : List.of("server", "client")) {
            openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", who + ".key", "-out", who + ".csr", "-subj",
                    "/CN=" + who);
            Files.writeString(tmp.resolve(who + ".ext"), who.equals("server") ? "subjectAltName=IP:127.0.0.1\n"
                    : "extendedKeyUsage=clientAuth\n");
            openssl("x509", "-req", "-in", who + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                    "-out", who + ".crt", "-days", "2", "-extfile", who + ".ext");
        }
    }

    @Test
    void tlsOptionMistakesAreUsageErrors() throws Exception {
        Path pem = Files.writeString(tmp.resolve("x.pem"), "not a certificate");
        assertThat(runner.run("dicom-scp", "--port", "0", "--tls-cert", pem.toString())).isEqualTo(2);
        assertThat(runner.err()).contains("--tls-cert and --tls-key go together");
        assertThat(runner.run("dicom-scp", "--port", "0", "--tls-cert", pem.toString(), "--tls-key", pem.toString(),
                "--tls-require-client-cert")).isEqualTo(2);
        assertThat(runner.err()).contains("--tls-require-client-cert needs --tls-trust");
        assertThat(runner.run("dicom-scp", "--port", "0", "--tls-trust", pem.toString())).isEqualTo(2);
        assertThat(runner.err()).contains("the TLS options need --tls-cert and --tls-key");
        assertThat(runner.run("dicom-scp", "--port", "0", "--tls-cert", tmp.resolve("missing.crt").toString(),
                "--tls-key", pem.toString())).isEqualTo(2);
        assertThat(runner.err()).contains("option --tls-cert: cannot read").contains("(no such file)");
        assertThat(runner.run("dicom-scp", "--port", "0", "--tls-cert", pem.toString(), "--tls-key", pem.toString()))
                .isEqualTo(2);
        assertThat(runner.err()).contains("DicomTls.fromPem: cannot read");
    }

    @Test
    void servesDcmtkOverTlsWithClientCertificatesAndAcceptsPrivateSopClasses() throws Exception {
        certificates();
        Path dump = Files.writeString(tmp.resolve("p.txt"), String.join("\n", "(0008,0016) UI [" + PRIVATE_CLASS + "]",
                "(0008,0018) UI [1.2.826.0.1.3680043.2.1125.77.1.1]", "(0020,000d) UI [1.2.826.0.1.3680043.2.1125.77]",
                "(0020,000e) UI [1.2.826.0.1.3680043.2.1125.77.1]", ""));
        run(List.of(RunnerProcess.tool("dump2dcm"), "+te", dump.toString(), "p.dcm"));
        Files.writeString(tmp.resolve("storescu.cfg"), "[[TransferSyntaxes]]\n[E]\nTransferSyntax1 = LittleEndianExplicit\n"
                + "[[PresentationContexts]]\n[C]\nPresentationContext1 = " + PRIVATE_CLASS + "\\E\n"
                + "[[Profiles]]\n[P]\nPresentationContexts = C\n");
        Path data = tmp.resolve("data");
        try (RunnerProcess scp = RunnerProcess.start(tmp.resolve("scp.log"), "dicom-scp", "--bind", "127.0.0.1",
                "--port", "0", "--dir", data.toString(), "--tls-cert", tmp.resolve("server.crt").toString(),
                "--tls-key", tmp.resolve("server.key").toString(), "--tls-trust", tmp.resolve("ca.crt").toString(), "--tls-require-client-cert", "--accept-private-sop-classes")) {
            List<String> tls = List.of("+tls", "client.key", "client.crt", "+cf", "ca.crt", "-aet", "MODALITY", "-aec",
                    "HARMONY", "127.0.0.1", String.valueOf(scp.port()));
            List<String> echo = new ArrayList<>(List.of(RunnerProcess.tool("echoscu")));
            echo.addAll(tls);
            run(echo);
            List<String> store = new ArrayList<>(List.of(RunnerProcess.tool("storescu"), "-xf", "storescu.cfg", "P"));
            store.addAll(tls);
            store.add("p.dcm");
            run(store);
            try (Stream<Path> files = Files.walk(data)) {
                assertThat(files.filter(f -> f.toString().endsWith(".dcm")).map(f -> f.getFileName().toString()))
                        .containsExactly("1.2.826.0.1.3680043.2.1125.77.1.1.dcm");
            }
            assertThat(scp.log()).contains("(TLS, client certificate required)");
        }
    }
}
