package dev.harmony.dicom.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.dicom.Dcmtk;
import dev.harmony.dicom.DicomAttributes;
import dev.harmony.dicom.TransferSyntax;
import dev.harmony.dicom.Uids;
import dev.harmony.dicom.UserIdentity;
import dev.harmony.dicom.backend.DicomFileStore;
import dev.harmony.dicom.internal.net.AssociateRequest;
import dev.harmony.dicom.internal.net.PduCodec;
import dev.harmony.dicom.internal.net.PduType;
import dev.harmony.dicom.internal.net.PresentationContext;
import dev.harmony.dicom.internal.net.UserInfo;
import dev.harmony.dicom.middleware.UserIdentityCheck;
import dev.harmony.message.Attribute;
import dev.harmony.pipeline.Middleware;
import dev.harmony.pipeline.Pipeline;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** User identity negotiation: DCMTK storescu --user/--password (with and without -rsp) against UserIdentityCheck. */
class UserIdentityTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String STUDY = "1.2.826.0.1.3680043.2.1125.88";

    @TempDir
    Path tmp;
    private Path store;
    private DicomScp scp;
    private Pipeline pipeline;
    private final List<String> principals = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        store = tmp.resolve("store");
        scp = DicomScp.port(0).bindAddress("127.0.0.1").build();
        Middleware record = chain -> {
            principals.add(chain.request().operation() + " " + chain.request().attribute(Attribute.PRINCIPAL)
                    .orElse("-"));
            return chain.proceed(chain.request());
        };
        pipeline = Pipeline.builder().name("identity").frontend(scp)
                .use(UserIdentityCheck.passcodes((user, passcode) -> user.equals("alice") && passcode.equals("s3cret")).build())
                .use(record).backend(DicomFileStore.under(store).build()).build();
        pipeline.start();
    }

    @AfterEach
    void stop() {
        pipeline.close();
    }

    private Dcmtk.Result storescu(Path file, String... identity) throws Exception {
        List<String> args = new ArrayList<>(List.of(Dcmtk.require("storescu"), "-aet", "MODALITY", "-aec", "HARMONY"));
        args.addAll(List.of(identity));
        args.addAll(List.of("127.0.0.1", String.valueOf(scp.localPort()), file.toString()));
        return Dcmtk.run(args, TIMEOUT);
    }

    private long files() throws Exception {
        if (!Files.exists(store)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(store)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void storescuWithUserAndPasswordIsAdmittedAndOthersAreRefused() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("corpus"));
        Path one = Dcmtk.ctObject(dir, STUDY, STUDY + ".1", STUDY + ".1.1", 2048);
        Path two = Dcmtk.ctObject(dir, STUDY, STUDY + ".1", STUDY + ".1.2", 2048);

        Dcmtk.Result ok = storescu(one, "--user", "alice", "--password", "s3cret");
        assertThat(ok.exitCode()).as(ok.output()).isZero();
        // -rsp: storescu insists on the A-ASSOCIATE-AC confirming the identity
        Dcmtk.Result confirmed = storescu(two, "--user", "alice", "--password", "s3cret", "-rsp", "-d");
        assertThat(confirmed.exitCode()).as(confirmed.output()).isZero();
        // the A-ASSOCIATE-AC as storescu dumped it carries the user identity response sub-item
        assertThat(confirmed.output()).contains("Server Response (not dumped) length: 0");
        assertThat(files()).isEqualTo(2);
        assertThat(principals).contains("A-ASSOCIATE alice", "C-STORE alice").allMatch(p -> p.endsWith(" alice"));

        for (String[] refused : List.of(new String[] {"--user", "alice", "--password", "wrong"},
                new String[] {"--user", "alice"}, new String[] {"--user", "mallory", "--password", "s3cret"},
                new String[0])) {
            Dcmtk.Result r = storescu(Dcmtk.ctObject(dir, STUDY, STUDY + ".1", STUDY + ".9", 2048), refused);
            assertThat(r.output()).as(String.join(" ", refused)).contains("Association Rejected");
        }
        assertThat(files()).isEqualTo(2);
    }

    @Test
    void aRefusedIdentityIsRejectedPermanentlyBySourceAcseAndAnAcceptedOneIsConfirmed() throws Exception {
        try (RawPeer peer = new RawPeer(scp.localPort())) {
            peer.send(request(new UserIdentity(UserIdentity.Type.USERNAME_PASSCODE, true,
                    "alice".getBytes(StandardCharsets.UTF_8), "nope".getBytes(StandardCharsets.UTF_8))));
            RawPeer.Pdu rj = peer.read();
            assertThat(rj.type()).isEqualTo(PduType.ASSOCIATE_RJ);
            assertThat(new byte[] {rj.body()[1], rj.body()[2], rj.body()[3]}).containsExactly(1, 2, 1);
        }
        try (RawPeer peer = new RawPeer(scp.localPort())) {
            peer.send(request(new UserIdentity(UserIdentity.Type.USERNAME_PASSCODE, true,
                    "alice".getBytes(StandardCharsets.UTF_8), "s3cret".getBytes(StandardCharsets.UTF_8))));
            RawPeer.Pdu ac = peer.read();
            assertThat(ac.type()).isEqualTo(PduType.ASSOCIATE_AC);
            UserInfo info = PduCodec.decodeAccept(ac.body()).userInfo();
            assertThat(info.identityResponse()).as("user identity AC sub-item").isEmpty();
        }
        assertThat(principals).containsExactly("A-ASSOCIATE alice");
    }

    private static byte[] request(UserIdentity identity) {
        return PduCodec.encode(new AssociateRequest(1, "HARMONY", "RAW", Uids.APPLICATION_CONTEXT,
                List.of(new PresentationContext(1, Uids.CT_IMAGE_STORAGE, List.of(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN
                        .uid()))), new UserInfo(16384, Uids.IMPLEMENTATION_CLASS, null, 0, 0, List.of(), identity, null)));
    }

    @Test
    void theIdentityIsOnTheExchangeButNeverPrinted() {
        UserIdentity id = new UserIdentity(UserIdentity.Type.USERNAME_PASSCODE, false, "bob".getBytes(StandardCharsets.UTF_8),
                "hunter2".getBytes(StandardCharsets.UTF_8));
        assertThat(id.toString()).contains("bob").doesNotContain("hunter2");
        assertThat(DicomAttributes.USER_IDENTITY.type()).isEqualTo(UserIdentity.class);
    }
}
