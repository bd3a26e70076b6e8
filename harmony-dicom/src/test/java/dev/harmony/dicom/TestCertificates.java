package dev.harmony.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Certificates made with openssl in a directory: a test CA ({@code ca.crt}), another CA nobody trusts
 * ({@code other-ca.crt}), {@code server.crt/key} for 127.0.0.1 and localhost, {@code elsewhere.crt/key}
 * for another name only, and {@code client.crt/key} (CN=MODALITY), all PEM, keys unencrypted PKCS#8.
 */
public final class TestCertificates {
    private final Path dir;

    private TestCertificates(Path dir) {
        this.dir = dir;
    }

    public static TestCertificates makeIn(Path dir) throws Exception {
        TestCertificates c = new TestCertificates(dir);
        c.openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
                "-subj", "/CN=Harmony Test CA");
        c.openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "other-ca.key", "-out", "other-ca.crt",
                "-days", "2", "-subj", "/CN=Someone Else");
        for (String who : List.of("server", "client", "elsewhere")) {
            c.openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", who + ".key", "-out", who + ".csr", "-subj",
                    "/CN=" + (who.equals("client") ? "MODALITY" : "harmony.test"));
            Files.writeString(dir.resolve(who + ".ext"), switch (who) {
                case "server" -> "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n";
                case "elsewhere" -> "subjectAltName=DNS:harmony.test\nextendedKeyUsage=serverAuth\n";
                default -> "extendedKeyUsage=clientAuth\n";
            });
            c.openssl("x509", "-req", "-in", who + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                    "-out", who + ".crt", "-days", "2", "-extfile", who + ".ext");
        }
        return c;
    }

    public Path file(String name) {
        return dir.resolve(name);
    }

    private void openssl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Dcmtk.require("openssl")));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
    }
}
