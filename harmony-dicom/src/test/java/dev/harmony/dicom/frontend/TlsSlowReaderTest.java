package dev.harmony.dicom.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.dicom.Dcmtk;
import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.DicomTls;
import dev.harmony.dicom.TestCertificates;
import dev.harmony.dicom.backend.DicomFileStore;
import dev.harmony.dicom.internal.net.PduType;
import dev.harmony.dicom.scu.DicomClient;
import dev.harmony.pipeline.Pipeline;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Over TLS the listener writes through an SSLSocket, whose writes have no socket timeout: a peer that
 * sends requests but never reads the answers must still be cut off after the idle timeout, and the
 * listener keeps serving. Raw TLS peers also get the PS3.8 answers.
 */
class TlsSlowReaderTest {
    @TempDir
    Path tmp;

    @Test
    void aTlsPeerThatStopsReadingIsCutOffAndGarbageOverTlsIsAborted() throws Exception {
        TestCertificates certs = TestCertificates.makeIn(tmp);
        DicomScp scp = DicomScp.port(0).bindAddress("127.0.0.1").maxPduLength(16384).idleTimeout(Duration.ofSeconds(2))
                .tls(DicomTls.fromPem(certs.file("server.crt"), certs.file("server.key"))).build();
        DicomTls client = DicomTls.trustingOnly(certs.file("ca.crt"));
        try (Pipeline p = Pipeline.builder().name("tls-slow").frontend(scp)
                .backend(DicomFileStore.under(tmp.resolve("store")).build()).build()) {
            p.start();
            try (RawPeer peer = new RawPeer(tlsSocket(client, scp.localPort()))) {
                assertThat(peer.associate("RAW", "HARMONY").type()).isEqualTo(PduType.ASSOCIATE_AC);
                assertThat(PeerFailureTest.floodWithEchoes(peer)).as("the listener closed the connection").isTrue();
            }
            Dcmtk.await(Duration.ofSeconds(30), "the association to end", () -> scp.activeAssociations() == 0);

            try (RawPeer peer = new RawPeer(tlsSocket(client, scp.localPort()))) {
                peer.send("GET / HTTP/1.1\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                RawPeer.Pdu abort = peer.read();
                assertThat(abort.type()).isEqualTo(PduType.ABORT);
                assertThat(abort.body()[3]).as("abort reason: unrecognized PDU").isEqualTo((byte) 1);
            }
            assertThat(DicomClient.callingAe("MODALITY").tls(client).build()
                    .echo(DicomNode.of("HARMONY", "127.0.0.1", scp.localPort()))).isZero();
        }
    }

    private static Socket tlsSocket(DicomTls tls, int port) throws Exception {
        Socket plain = new Socket();
        plain.setReceiveBufferSize(4096);
        plain.connect(new InetSocketAddress("127.0.0.1", port));
        var context = tls.context();
        SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
        ssl.setSSLParameters(tls.clientParameters(context));
        ssl.startHandshake();
        return ssl;
    }
}
