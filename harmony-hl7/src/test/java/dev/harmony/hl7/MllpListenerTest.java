package dev.harmony.hl7;

import static dev.harmony.hl7.RawMllp.adt;
import static dev.harmony.hl7.RawMllp.segment;
import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.hl7.frontend.MllpListener;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.pipeline.Rejection;
import dev.harmony.testing.RecordingBackend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The listener against raw-socket peers: ACK rules, pipelining, split reads, broken framing, limits, timeouts. */
class MllpListenerTest {
    private Pipeline pipeline;
    private RecordingBackend backend;

    private int start(MllpListener.Builder listener, Function<dev.harmony.message.Request, Response> answer) {
        backend = RecordingBackend.answering(answer);
        MllpListener mllp = listener.bindAddress("127.0.0.1").build();
        pipeline = Pipeline.builder().name("mllp-test").frontend(mllp).backend(backend).build();
        pipeline.start();
        return mllp.localPort();
    }

    private int start() {
        return start(MllpListener.port(0), r -> Response.ok());
    }

    @AfterEach
    void stop() {
        if (pipeline != null) {
            pipeline.stop();
        }
    }

    @Test
    void acceptsWithAaMirroringTheHeader() throws IOException {
        int port = start();
        try (RawMllp peer = new RawMllp(port)) {
            peer.send(adt("MSG0001"));
            String ack = peer.read();
            String[] msh = segment(ack, "MSH");
            assertThat(msh[2]).isEqualTo("HARMONY"); // MSH-3 = their MSH-5
            assertThat(msh[3]).isEqualTo("HUB");
            assertThat(msh[4]).isEqualTo("ADMIT"); // MSH-5 = their MSH-3
            assertThat(msh[5]).isEqualTo("ST-MARYS");
            assertThat(msh[8]).isEqualTo("ACK^A01^ACK");
            assertThat(msh[9]).isNotEmpty().isNotEqualTo("MSG0001");
            assertThat(msh[10]).isEqualTo("P");
            assertThat(msh[11]).isEqualTo("2.5");
            String[] msa = segment(ack, "MSA");
            assertThat(msa[1]).isEqualTo("AA");
            assertThat(msa[2]).isEqualTo("MSG0001");
            assertThat(ack).doesNotContain("ERR|");
        }
        assertThat(backend.count()).isEqualTo(1);
        assertThat(backend.last().request().operation()).isEqualTo("ADT^A01");
        assertThat(backend.last().request().attribute(Hl7.CONTROL_ID)).contains("MSG0001");
        assertThat(backend.last().bodyText()).isEqualTo(adt("MSG0001"));
    }

    @Test
    void pipelinedMessagesAreAnsweredInOrder() throws IOException {
        int port = start();
        try (RawMllp peer = new RawMllp(port)) {
            StringBuilder all = new StringBuilder();
            List<byte[]> frames = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                frames.add(RawMllp.frame(adt("P" + i)));
            }
            java.io.ByteArrayOutputStream burst = new java.io.ByteArrayOutputStream();
            for (byte[] f : frames) {
                burst.writeBytes(f);
            }
            peer.raw(burst.toByteArray()); // one write: the listener sees them back to back
            for (int i = 0; i < 50; i++) {
                String[] msa = segment(peer.read(), "MSA");
                all.append(msa[2]).append(',');
                assertThat(msa[1]).isEqualTo("AA");
                assertThat(msa[2]).isEqualTo("P" + i);
            }
        }
        assertThat(backend.count()).isEqualTo(50);
    }

    @Test
    void aMessageSplitAcrossReadsByteByByte() throws IOException {
        int port = start();
        try (RawMllp peer = new RawMllp(port)) {
            for (byte b : RawMllp.frame(adt("SPLIT1"))) {
                peer.raw(new byte[] {b});
            }
            assertThat(segment(peer.read(), "MSA")[2]).isEqualTo("SPLIT1");
        }
        assertThat(backend.last().bodyText()).isEqualTo(adt("SPLIT1"));
    }

    @Test
    void garbageInsideTheFramingIsRejectedAndTheConnectionKeepsServing() throws IOException {
        int port = start();
        try (RawMllp peer = new RawMllp(port)) {
            // binary junk as a segment
            peer.send(adt("G1") + "\u0001\u0002\u00ff|junk\r");
            String ack = peer.read();
            assertThat(segment(ack, "MSA")[1]).isEqualTo("AR");
            assertThat(segment(ack, "MSA")[2]).isEqualTo("G1");
            assertThat(segment(ack, "ERR")[3]).startsWith("102^");
            // no MSH at all: still one answer, MSA-2 empty
            peer.send("hello, world");
            ack = peer.read();
            assertThat(segment(ack, "MSA")[1]).isEqualTo("AR");
            assertThat(segment(ack, "MSA")[2]).isEmpty();
            // 0x1C not followed by 0x0D
            byte[] bad = RawMllp.frame(adt("G2"));
            bad[bad.length - 1] = 'X';
            peer.raw(bad);
            assertThat(segment(peer.read(), "MSA")).contains("AR", "G2");
            // a stray start byte inside a message: the broken part is answered, the next message too
            byte[] head = adt("G3").substring(0, 72).getBytes(StandardCharsets.UTF_8); // ends just after "G3|"
            byte[] stray = new byte[head.length + 1];
            stray[0] = 0x0B;
            System.arraycopy(head, 0, stray, 1, head.length);
            peer.raw(stray);
            peer.send(adt("G4"));
            assertThat(segment(peer.read(), "MSA")).contains("AR", "G3");
            assertThat(segment(peer.read(), "MSA")).contains("AA", "G4");
            // cut inside MSH-10: the partial control id is not trusted
            peer.raw(("\u000b" + adt("G33").substring(0, 70)).getBytes(StandardCharsets.UTF_8));
            peer.send(adt("G34"));
            assertThat(segment(peer.read(), "MSA")[2]).isEmpty();
            assertThat(segment(peer.read(), "MSA")).contains("AA", "G34");
            // noise between frames is skipped
            peer.raw("\r\n  \r\n".getBytes(StandardCharsets.US_ASCII));
            peer.send(adt("G5"));
            assertThat(segment(peer.read(), "MSA")).contains("AA", "G5");
        }
        assertThat(backend.received()).extracting(r -> r.request().attribute(Hl7.CONTROL_ID).orElseThrow())
                .containsExactly("G4", "G34", "G5");
    }

    @Test
    void unsupportedVersionAndTypeAreAr() throws IOException {
        int port = start(MllpListener.port(0).messageTypes("ADT^A01", "ADT^A04"), r -> Response.ok());
        try (RawMllp peer = new RawMllp(port)) {
            peer.send(adt("V1").replace("|P|2.5\r", "|P|9.9\r"));
            String ack = peer.read();
            assertThat(segment(ack, "MSA")).contains("AR", "V1");
            assertThat(segment(ack, "ERR")[3]).startsWith("200^");
            peer.send(adt("T1").replace("ADT^A01^ADT_A01", "ORU^R01^ORU_R01"));
            assertThat(segment(peer.read(), "MSA")).contains("AR", "T1");
            peer.send(adt("T2"));
            assertThat(segment(peer.read(), "MSA")).contains("AA", "T2");
        }
        assertThat(backend.count()).isEqualTo(1);
    }

    @Test
    void aRejectionByALaterStageIsAeWithAnErrSegmentAndEscapedText() throws IOException {
        int port = start(MllpListener.port(0), r -> Response.rejected(Rejection.invalid("name|missing^here", List.of())));
        try (RawMllp peer = new RawMllp(port)) {
            peer.send(adt("E1"));
            String ack = peer.read();
            String[] msa = segment(ack, "MSA");
            assertThat(msa[1]).isEqualTo("AE");
            assertThat(msa[2]).isEqualTo("E1");
            assertThat(msa[3]).isEqualTo("name\\F\\missing\\S\\here");
            String[] err = segment(ack, "ERR");
            assertThat(err[3]).isEqualTo("207^Application internal error^HL70357");
            assertThat(err[4]).isEqualTo("E");
            // the connection stays usable after a NAK
            peer.send(adt("E2"));
            assertThat(segment(peer.read(), "MSA")).contains("AE", "E2");
        }
    }

    @Test
    void olderVersionsGetErr1() throws IOException {
        int port = start(MllpListener.port(0), r -> Response.rejected(Rejection.internal("store down")));
        try (RawMllp peer = new RawMllp(port)) {
            peer.send(adt("O1").replace("|P|2.5\r", "|P|2.3\r"));
            String ack = peer.read();
            assertThat(segment(ack, "MSA")).contains("AE", "O1");
            assertThat(segment(ack, "ERR")[1]).isEqualTo("^^^207&Application internal error&HL70357");
        }
    }

    @Test
    void enhancedModeAnswersWithCommitCodesAsMsh15Asks() throws IOException {
        int port = start(MllpListener.port(0),
                r -> r.attribute(Hl7.CONTROL_ID).orElseThrow().startsWith("BAD") ? Response.rejected(
                        Rejection.internal("no")) : Response.ok());
        try (RawMllp peer = new RawMllp(port)) {
            peer.send(adt("C1").replace("|P|2.5\r", "|P|2.5|||AL|NE\r"));
            assertThat(segment(peer.read(), "MSA")).contains("CA", "C1");
            peer.send(adt("BAD1").replace("|P|2.5\r", "|P|2.5|||AL|NE\r"));
            assertThat(segment(peer.read(), "MSA")).contains("CE", "BAD1");
            // NE: no answer; ER: only on error; SU: only on success. The next answer is C5's.
            peer.send(adt("C2").replace("|P|2.5\r", "|P|2.5|||NE|NE\r"));
            peer.send(adt("C3").replace("|P|2.5\r", "|P|2.5|||ER|NE\r"));
            peer.send(adt("BAD4").replace("|P|2.5\r", "|P|2.5|||SU|NE\r"));
            peer.send(adt("C5").replace("|P|2.5\r", "|P|2.5|||SU|NE\r"));
            assertThat(segment(peer.read(), "MSA")).contains("CA", "C5");
            peer.send(adt("BAD6").replace("|P|2.5\r", "|P|2.5|||ER|NE\r"));
            assertThat(segment(peer.read(), "MSA")).contains("CE", "BAD6");
        }
        assertThat(backend.count()).isEqualTo(7);
    }

    @Test
    void anOversizedMessageIsArAndTheConnectionGoesOn() throws IOException {
        int port = start(MllpListener.port(0).maxMessageSize(1024), r -> Response.ok());
        try (RawMllp peer = new RawMllp(port)) {
            peer.send(adt("BIG1") + "NTE|1||" + "x".repeat(100_000) + "\r");
            String ack = peer.read();
            assertThat(segment(ack, "MSA")).contains("AR", "BIG1");
            peer.send(adt("SMALL1"));
            assertThat(segment(peer.read(), "MSA")).contains("AA", "SMALL1");
        }
        assertThat(backend.count()).isEqualTo(1);
    }

    @Test
    void tooMuchGarbageOutsideFramesClosesTheConnection() throws IOException {
        int port = start(MllpListener.port(0).maxMessageSize(1024), r -> Response.ok());
        try (RawMllp peer = new RawMllp(port)) {
            peer.raw("GET / HTTP/1.1\r\n".repeat(200).getBytes(StandardCharsets.US_ASCII));
            assertThat(peer.closedByPeer()).isTrue();
        }
        try (RawMllp peer = new RawMllp(port)) { // and the listener still serves
            peer.send(adt("AFTER"));
            assertThat(segment(peer.read(), "MSA")).contains("AA", "AFTER");
        }
    }

    @Test
    void aSlowPeerIsCutOffByTheFrameTimeout() throws IOException {
        int port = start(MllpListener.port(0).frameTimeout(Duration.ofMillis(300)), r -> Response.ok());
        try (RawMllp peer = new RawMllp(port)) {
            byte[] f = RawMllp.frame(adt("SLOW"));
            peer.raw(java.util.Arrays.copyOf(f, 40)); // starts a message and stops sending
            assertThat(peer.closedByPeer()).isTrue();
        }
        assertThat(backend.count()).isZero();
    }

    @Test
    void aPeerThatNeverReadsItsAcksIsCutOffAndOthersAreStillServed() throws Exception {
        int port = start(MllpListener.port(0).frameTimeout(Duration.ofMillis(500)), r -> Response.ok());
        try (java.net.Socket hog = new java.net.Socket()) {
            hog.setReceiveBufferSize(1024); // its ACKs pile up at once: the listener's writes block
            hog.connect(new java.net.InetSocketAddress("127.0.0.1", port), RawMllp.WAIT_MILLIS);
            // the id makes each ACK large (MSA-2 mirrors it), so the listener's send buffer fills after a few
            byte[] frame = RawMllp.frame(adt("H".repeat(16 * 1024)));
            java.util.concurrent.CompletableFuture<Throwable> sending = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> {
                        try {
                            while (true) { // sends without ever reading, until the listener gives up on it
                                hog.getOutputStream().write(frame);
                            }
                        } catch (IOException e) {
                            return e;
                        }
                    });
            // without a bound on ACK writes the listener blocks in one forever, and so does this sender
            assertThat(sending.get(20, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOf(IOException.class);
        }
        try (RawMllp peer = new RawMllp(port)) {
            peer.send(adt("NEXT"));
            assertThat(segment(peer.read(), "MSA")).contains("AA", "NEXT");
        }
    }

    @Test
    void anIdleConnectionIsClosed() throws IOException {
        int port = start(MllpListener.port(0).idleTimeout(Duration.ofMillis(300)), r -> Response.ok());
        try (RawMllp peer = new RawMllp(port)) {
            peer.send(adt("I1"));
            assertThat(segment(peer.read(), "MSA")).contains("AA", "I1");
            assertThat(peer.closedByPeer()).isTrue();
        }
    }

    @Test
    void connectionsBeyondTheLimitAreClosed() throws IOException {
        int port = start(MllpListener.port(0).maxConnections(1), r -> Response.ok());
        try (RawMllp first = new RawMllp(port)) {
            first.send(adt("L1"));
            assertThat(segment(first.read(), "MSA")).contains("AA", "L1");
            try (RawMllp second = new RawMllp(port)) {
                assertThat(second.closedByPeer()).isTrue();
            }
            first.send(adt("L2"));
            assertThat(segment(first.read(), "MSA")).contains("AA", "L2");
        }
    }

    @Test
    void withParseBeforePipelineTheJsonStageReusesTheParseAndGarbageIsStillAr() throws IOException {
        backend = RecordingBackend.answering(Response.ok());
        MllpListener mllp = MllpListener.port(0).bindAddress("127.0.0.1").parseBeforePipeline(true).build();
        pipeline = Pipeline.builder().name("mllp-parse").frontend(mllp)
                .use(dev.harmony.hl7.middleware.Hl7ToJson.builder().build()).backend(backend).build();
        pipeline.start();
        try (RawMllp peer = new RawMllp(mllp.localPort())) {
            peer.send(adt("PB1"));
            assertThat(segment(peer.read(), "MSA")).contains("AA", "PB1");
            peer.send(adt("PB2") + "zz|junk\r");
            assertThat(segment(peer.read(), "MSA")).contains("AR", "PB2");
        }
        assertThat(backend.count()).isEqualTo(1);
        assertThat(backend.last().request().body().json().at("/PID/0/3/0/1").asText()).isEqualTo("12345");
    }

    @Test
    void buildChecksOptions() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MllpListener.port(70000).build())
                .hasMessageContaining("MllpListener.port");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MllpListener.port(0).maxMessageSize(1).build())
                .hasMessageContaining("MllpListener.maxMessageSize");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MllpListener.port(0).messageTypes("adt").build())
                .hasMessageContaining("MllpListener.messageTypes");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> MllpListener.port(0).idleTimeout(Duration.ZERO)
                .build()).hasMessageContaining("MllpListener.idleTimeout");
    }
}
