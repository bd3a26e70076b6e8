package dev.harmony.examples.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import dev.harmony.dicom.backend.DicomFileStore;
import dev.harmony.dicom.frontend.DicomScp;
import dev.harmony.examples.bench.DicomCorpus;
import dev.harmony.http.middleware.JwtAuth;
import dev.harmony.message.Attribute;
import dev.harmony.pipeline.Middleware;
import dev.harmony.pipeline.Pipeline;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP auth guard on a DICOM listener: DCMTK {@code storescu --jwt} sends a JWT user identity
 * (PS3.7 D.3.3.7, type 5), the listener hands it over as {@code Authorization: Bearer}, and the same
 * {@code JwtAuth} that guards HTTP admits it or refuses the association.
 */
class DicomJwtIdentityTest {
    private static final String SECRET = "a-shared-secret-of-at-least-32-bytes!!";

    @TempDir
    Path tmp;

    private static String tool(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, name))) {
                return Path.of(d, name).toString();
            }
        }
        throw new AssertionError(name + " is not installed: apt-get install -y dcmtk");
    }

    private Path token(String name, String secret, Instant expires) throws Exception {
        String jwt = JWT.create().withSubject("modality-7").withIssuer("https://idp.test/").withExpiresAt(expires)
                .sign(Algorithm.HMAC256(secret.getBytes(StandardCharsets.UTF_8)));
        return Files.writeString(tmp.resolve(name + ".jwt"), jwt);
    }

    private static String storescu(int port, Path file, String... identity) throws Exception {
        List<String> args = new ArrayList<>(List.of(tool("storescu"), "-aet", "MODALITY", "-aec", "HARMONY"));
        args.addAll(List.of(identity));
        args.addAll(List.of("127.0.0.1", String.valueOf(port), file.toString()));
        ProcessBuilder pb = new ProcessBuilder(args).redirectErrorStream(true);
        pb.environment().put("TCP_NODELAY", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return "exit " + p.exitValue() + "\n" + out;
    }

    private static long files(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(f -> f.toString().endsWith(".dcm")).count();
        }
    }

    @Test
    void jwtAuthAdmitsAValidJwtIdentityAndRefusesTheRest() throws Exception {
        List<Path> objects = DicomCorpus.write(tmp.resolve("corpus"), 4, 1);
        Path store = tmp.resolve("store");
        List<String> principals = new CopyOnWriteArrayList<>();
        Middleware record = chain -> {
            principals.add(chain.request().operation() + " " + chain.request().attribute(Attribute.PRINCIPAL).orElse("-"));
            return chain.proceed(chain.request());
        };
        DicomScp scp = DicomScp.port(0).bindAddress("127.0.0.1").build();
        try (Pipeline p = Pipeline.builder().name("dicom-jwt").frontend(scp)
                .use(JwtAuth.hmacSecret(SECRET).issuer("https://idp.test/").build()).use(record)
                .backend(DicomFileStore.under(store).build()).build()) {
            p.start();
            int port = scp.localPort();
            String ok = storescu(port, objects.get(0), "--jwt",
                    token("good", SECRET, Instant.now().plusSeconds(300)).toString(), "-rsp");
            assertThat(ok).startsWith("exit 0");
            assertThat(files(store)).isEqualTo(1);
            assertThat(principals).isNotEmpty().allMatch(s -> s.endsWith(" modality-7"));

            String expired = storescu(port, objects.get(1), "--jwt",
                    token("expired", SECRET, Instant.now().minusSeconds(3600)).toString());
            assertThat(expired).contains("Association Rejected");
            String forged = storescu(port, objects.get(2), "--jwt",
                    token("forged", SECRET.replace('a', 'b'), Instant.now().plusSeconds(300)).toString());
            assertThat(forged).contains("Association Rejected");
            String none = storescu(port, objects.get(3));
            assertThat(none).contains("Association Rejected");
            String password = storescu(port, objects.get(3), "--user", "alice", "--password", "x");
            assertThat(password).contains("Association Rejected");
            assertThat(files(store)).isEqualTo(1);
        }
    }
}
