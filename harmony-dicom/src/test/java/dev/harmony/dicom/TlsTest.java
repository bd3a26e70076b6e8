package dev.harmony.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.harmony.dicom.backend.DicomFileStore;
import dev.harmony.dicom.backend.DicomForward;
import dev.harmony.dicom.frontend.DicomScp;
import dev.harmony.dicom.scu.DicomClient;
import dev.harmony.pipeline.Middleware;
import dev.harmony.pipeline.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DICOM TLS both ways against DCMTK: echoscu/storescu {@code +tls} to our listener (with and without
 * client certificates), our SCU and DicomForward to storescp {@code +tls}. Certificates are made with
 * openssl in a temp dir: a test CA, a server certificate for 127.0.0.1, a client certificate.
 */
class TlsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String STUDY = "1.2.826.0.1.3680043.2.1125.66";

    @TempDir
    static Path certs;
    @TempDir
    Path tmp;
    private static TestCertificates certificates;

    private static Path cert(String name) {
        return certificates.file(name);
    }

    @BeforeEach
    void makeCertificates() throws Exception {
        if (certificates == null) {
            certificates = TestCertificates.makeIn(certs);
        }
    }

    private static DicomTls serverTls(boolean requireClient) {
        return DicomTls.fromPem(cert("server.crt"), cert("server.key")).trusting(cert("ca.crt"))
                .requireClientCertificate(requireClient);
    }

    private Path object(String instance) throws Exception {
        return Dcmtk.ctObject(Files.createDirectories(tmp.resolve("corpus")), STUDY, STUDY + ".1", instance, 4096);
    }

    private static long files(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    private static List<String> tlsArgs(String tool, String... rest) {
        List<String> args = new java.util.ArrayList<>(List.of(Dcmtk.require(tool), "+tls", cert("client.key").toString(),
                cert("client.crt").toString(), "+cf", cert("ca.crt").toString(), "-aet", "MODALITY", "-aec", "HARMONY"));
        args.addAll(List.of(rest));
        return args;
    }

    @Test
    void dcmtkSendsOverTlsWithAClientCertificateAndItsSubjectReachesThePipeline() throws Exception {
        Path store = tmp.resolve("store");
        List<String> subjects = new CopyOnWriteArrayList<>();
        Middleware record = chain -> {
            subjects.add(chain.request().attribute(DicomAttributes.TLS_PEER_SUBJECT).orElse("none"));
            return chain.proceed(chain.request());
        };
        DicomScp scp = DicomScp.port(0).bindAddress("127.0.0.1").tls(serverTls(true)).build();
        try (Pipeline p = Pipeline.builder().name("tls").frontend(scp).use(record).backend(DicomFileStore.under(store).build())
                .build()) {
            p.start();
            String port = String.valueOf(scp.localPort());
            Dcmtk.Result echo = Dcmtk.run(tlsArgs("echoscu", "127.0.0.1", port), TIMEOUT);
            assertThat(echo.exitCode()).as(echo.output()).isZero();
            Path object = object(STUDY + ".1.1");
            Dcmtk.Result store1 = Dcmtk.run(tlsArgs("storescu", "127.0.0.1", port, object.toString()), TIMEOUT);
            assertThat(store1.exitCode()).as(store1.output()).isZero();
            assertThat(Part10.read(store.resolve(STUDY).resolve(STUDY + ".1").resolve(STUDY + ".1.1.dcm")).dataset())
                    .isEqualTo(Part10.read(object).dataset());
            assertThat(subjects).isNotEmpty().allSatisfy(s -> assertThat(s).contains("CN=MODALITY"));

            // Without a client certificate, and without TLS at all: refused, nothing stored, still serving.
            Dcmtk.Result anonymous = Dcmtk.run(List.of(Dcmtk.require("storescu"), "+tla", "+cf", cert("ca.crt").toString(),
                    "-aet", "MODALITY", "-aec", "HARMONY", "127.0.0.1", port, object(STUDY + ".1.2").toString()), TIMEOUT);
            assertThat(anonymous.exitCode()).as(anonymous.output()).isNotZero();
            Dcmtk.Result plain = Dcmtk.run(TIMEOUT, "storescu", "-aet", "MODALITY", "-aec", "HARMONY", "127.0.0.1", port,
                    object(STUDY + ".1.3").toString());
            assertThat(plain.exitCode()).as(plain.output()).isNotZero();
            assertThat(files(store)).isEqualTo(1);
            Dcmtk.await(Duration.ofSeconds(10), "refused connections to end", () -> scp.activeAssociations() == 0);
            assertThat(Dcmtk.run(tlsArgs("echoscu", "127.0.0.1", port), TIMEOUT).exitCode()).isZero();
        }
    }

    @Test
    void aCancelOverTlsEndsAnEndlessFind() throws Exception {
        // Only an honoured C-CANCEL ends this C-FIND: the backend has matches without end.
        java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        DicomScp scp = DicomScp.port(0).bindAddress("127.0.0.1").tls(serverTls(true)).build();
        try (Pipeline p = Pipeline.builder().name("tls-find").frontend(scp)
                .backend(request -> dev.harmony.message.Response.ok().with(DicomAttributes.MATCHES,
                        new dev.harmony.dicom.query.QueryResults() {
                            @Override
                            public dev.harmony.dicom.query.Dataset next() {
                                return new dev.harmony.dicom.query.Dataset()
                                        .set(dev.harmony.dicom.query.QueryKeys.QUERY_RETRIEVE_LEVEL, "STUDY")
                                        .set(dev.harmony.dicom.query.QueryKeys.STUDY_INSTANCE_UID, "1.2.3." + n.incrementAndGet());
                            }

                            @Override
                            public void close() {
                                closed.set(true);
                            }
                        }))
                .build()) {
            p.start();
            Dcmtk.Result r = Dcmtk.run(tlsArgs("findscu", "-v", "-S", "--cancel", "3", "-k", "QueryRetrieveLevel=STUDY",
                    "-k", "StudyInstanceUID", "127.0.0.1", String.valueOf(scp.localPort())), TIMEOUT);
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(r.output()).contains("Sending Cancel Request")
                    .contains("Received Final Find Response (Cancel: MatchingTerminatedDueToCancelRequest)");
            Dcmtk.await(Duration.ofSeconds(10), "the matches to be closed", closed::get);
            assertThat(Dcmtk.run(tlsArgs("echoscu", "127.0.0.1", String.valueOf(scp.localPort())), TIMEOUT).exitCode())
                    .isZero();
        }
    }

    @Test
    void withoutRequiredClientCertificatesTheServerCertificateAloneIsEnough() throws Exception {
        DicomScp scp = DicomScp.port(0).bindAddress("127.0.0.1")
                .tls(DicomTls.fromPem(cert("server.crt"), cert("server.key"))).build();
        try (Pipeline p = Pipeline.builder().name("tls-anon").frontend(scp).backend(DicomFileStore.under(tmp.resolve("s")).build())
                .build()) {
            p.start();
            Dcmtk.Result echo = Dcmtk.run(List.of(Dcmtk.require("echoscu"), "+tla", "+cf", cert("ca.crt").toString(),
                    "-aet", "MODALITY", "-aec", "HARMONY", "127.0.0.1", String.valueOf(scp.localPort())), TIMEOUT);
            assertThat(echo.exitCode()).as(echo.output()).isZero();
            // Our own SCU: trusts the CA, checks that the certificate names 127.0.0.1.
            DicomNode node = DicomNode.of("HARMONY", "127.0.0.1", scp.localPort());
            assertThat(DicomClient.callingAe("MODALITY").tls(DicomTls.trustingOnly(cert("ca.crt"))).build().echo(node))
                    .isZero();
            // A client that trusts someone else refuses the server.
            assertThatThrownBy(() -> DicomClient.callingAe("MODALITY").tls(DicomTls.trustingOnly(cert("other-ca.crt")))
                    .build().echo(node)).isInstanceOf(SSLException.class);
        }
        // A certificate for another name fails host name verification, unless that is turned off.
        DicomScp elsewhere = DicomScp.port(0).bindAddress("127.0.0.1")
                .tls(DicomTls.fromPem(cert("elsewhere.crt"), cert("elsewhere.key"))).build();
        try (Pipeline p = Pipeline.builder().name("tls-name").frontend(elsewhere)
                .backend(DicomFileStore.under(tmp.resolve("e")).build()).build()) {
            p.start();
            DicomNode node = DicomNode.of("HARMONY", "127.0.0.1", elsewhere.localPort());
            assertThatThrownBy(() -> DicomClient.callingAe("MODALITY").tls(DicomTls.trustingOnly(cert("ca.crt")))
                    .build().echo(node)).isInstanceOf(SSLException.class);
            assertThat(DicomClient.callingAe("MODALITY").tls(DicomTls.trustingOnly(cert("ca.crt")).verifyHostname(false))
                    .build().echo(node)).isZero();
        }
    }

    @Test
    void ourScuAndDicomForwardSendToStorescpOverTls() throws Exception {
        int port = Dcmtk.freePort();
        Path received = Files.createDirectories(tmp.resolve("pacs"));
        // storescp requires and verifies our client certificate (its default, -rc).
        Process pacs = Dcmtk.start(tmp.resolve("storescp.log"), "storescp", "+tls", cert("server.key").toString(),
                cert("server.crt").toString(), "+cf", cert("ca.crt").toString(), "--output-directory",
                received.toString(), "-aet", "PACS", String.valueOf(port));
        try {
            Dcmtk.awaitListening(port, Duration.ofSeconds(20), pacs);
            DicomNode node = DicomNode.of("PACS", "127.0.0.1", port);
            DicomTls clientTls = DicomTls.fromPem(cert("client.crt"), cert("client.key")).trusting(cert("ca.crt"));
            DicomClient scu = DicomClient.callingAe("HARMONY").tls(clientTls).build();
            assertThat(scu.echo(node)).isZero();
            assertThat(scu.store(node, List.of(object(STUDY + ".2.1")))).containsExactly(0);
            // Without a client certificate storescp refuses the handshake.
            assertThatThrownBy(() -> DicomClient.callingAe("HARMONY").tls(DicomTls.trustingOnly(cert("ca.crt"))).build()
                    .echo(node)).isInstanceOf(java.io.IOException.class);

            // Modality -> our plain listener -> DicomForward over TLS -> storescp.
            DicomScp scp = DicomScp.port(0).bindAddress("127.0.0.1").build();
            try (Pipeline p = Pipeline.builder().name("forward-tls").frontend(scp)
                    .backend(DicomForward.to(node).tls(clientTls).build()).build()) {
                p.start();
                assertThat(DicomClient.callingAe("MODALITY").build().store(DicomNode.of("HARMONY", "127.0.0.1",
                        scp.localPort()), List.of(object(STUDY + ".2.2")))).containsExactly(0);
            }
            assertThat(files(received)).isEqualTo(2);
        } finally {
            pacs.destroy();
            pacs.waitFor();
        }
    }
}
