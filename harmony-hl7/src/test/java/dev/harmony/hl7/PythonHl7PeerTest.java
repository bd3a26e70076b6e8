package dev.harmony.hl7;

import static dev.harmony.hl7.RawMllp.adt;
import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.hl7.backend.MllpForward;
import dev.harmony.hl7.frontend.MllpListener;
import dev.harmony.message.Body;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.pipeline.Rejection;
import dev.harmony.testing.RecordingBackend;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's python3-hl7 (an HL7 v2 parser and MLLP client/server with no HAPI inside) as an independent
 * peer: it sends to our listener and parses our ACKs, and it receives from our forwarder and answers
 * with ACKs of its own making.
 */
class PythonHl7PeerTest {
    static final String PYTHON = "/usr/bin/python3";

    static String run(Path dir, String script, String... args) throws IOException, InterruptedException {
        Path file = dir.resolve("peer.py");
        Files.writeString(file, script);
        List<String> command = new java.util.ArrayList<>(List.of(PYTHON, file.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("python peer did not finish");
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(out).isZero();
            return out;
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void pythonSendsAndParsesOurAcks(@TempDir Path dir) throws Exception {
        RecordingBackend backend = RecordingBackend.answering(r -> r.attribute(Hl7.CONTROL_ID).orElseThrow()
                .equals("PY-3") ? Response.rejected(Rejection.internal("store down")) : Response.ok());
        MllpListener mllp = MllpListener.port(0).bindAddress("127.0.0.1").build();
        try (Pipeline p = Pipeline.builder().name("py").frontend(mllp).backend(backend).build()) {
            p.start();
            String script = """
                    import sys, hl7
                    from hl7.client import MLLPClient
                    msgs = [
                      "MSH|^~\\\\&|PYAPP|PYFAC|HARMONY|HUB|20240101||ADT^A04^ADT_A01|PY-1|P|2.5\\rPID|1||42^^^PYH^MR||Py^Thon\\r",
                      "MSH|^~\\\\&|PYAPP|PYFAC|HARMONY|HUB|20240101||ADT^A08^ADT_A01|PY-2|P|2.3.1\\rPID|1||43^^^PYH^MR\\r",
                      "MSH|^~\\\\&|PYAPP|PYFAC|HARMONY|HUB|20240101||ADT^A01^ADT_A01|PY-3|P|2.5\\rPID|1||44^^^PYH^MR\\r",
                      "MSH|^~\\\\&|PYAPP|PYFAC|HARMONY|HUB|20240101||ADT^A01^ADT_A01|PY-4|P|2.5\\r\\x01\\x02 junk\\r",
                    ]
                    with MLLPClient("127.0.0.1", int(sys.argv[1])) as c:
                        for m in msgs:
                            ack = hl7.parse(c.send_message(m))
                            msh, msa = ack.segment("MSH"), ack.segment("MSA")
                            err = any(str(seg[0]) == "ERR" for seg in ack)
                            print("ACK", msa[1], msa[2], msh[3], msh[5], msh[9], msh[12], "ERR" if err else "-")
                    """;
            String out = run(dir, script, Integer.toString(mllp.localPort()));
            assertThat(out.lines().filter(l -> l.startsWith("ACK"))).containsExactly(
                    "ACK AA PY-1 HARMONY PYAPP ACK^A04^ACK 2.5 -",
                    "ACK AA PY-2 HARMONY PYAPP ACK^A08^ACK 2.3.1 -",
                    "ACK AE PY-3 HARMONY PYAPP ACK^A01^ACK 2.5 ERR",
                    "ACK AR PY-4 HARMONY PYAPP ACK^A01^ACK 2.5 ERR");
        }
        assertThat(backend.count()).isEqualTo(3);
    }

    @Test
    void pythonReceivesFromOurForwarder(@TempDir Path dir) throws Exception {
        // an asyncio MLLP server from python3-hl7 that acks with its own create_ack (AE for PYF-2)
        String script = """
                import asyncio, sys, hl7
                from hl7.mllp import start_hl7_server
                async def handle(reader, writer):
                    try:
                        while not writer.is_closing():
                            msg = await reader.readmessage()
                            code = "AE" if str(msg.segment("MSH")[10]) == "PYF-2" else "AA"
                            writer.writemessage(msg.create_ack(ack_code=code))
                            await writer.drain()
                    except asyncio.IncompleteReadError:
                        writer.close()
                async def main():
                    server = await start_hl7_server(handle, host="127.0.0.1", port=0)
                    print("PORT", server.sockets[0].getsockname()[1], flush=True)
                    await asyncio.wait_for(asyncio.get_running_loop().create_future(), 60)
                try:
                    asyncio.run(main())
                except asyncio.TimeoutError:
                    pass
                """;
        Path file = dir.resolve("server.py");
        Files.writeString(file, script);
        Process server = new ProcessBuilder(PYTHON, file.toString()).redirectErrorStream(true).start();
        try {
            var lines = new java.io.BufferedReader(new java.io.InputStreamReader(server.getInputStream(),
                    StandardCharsets.UTF_8));
            String first = lines.readLine();
            assertThat(first).as("python server's first line").startsWith("PORT ");
            int port = Integer.parseInt(first.substring(5).trim());
            MllpForward forward = MllpForward.to("127.0.0.1", port).ackTimeout(Duration.ofSeconds(10)).build();
            Response ok = forward.handle(Request.builder(Hl7.MLLP, "ADT^A01")
                    .body(Body.ofText(adt("PYF-1"), Hl7.ER7)).build());
            assertThat(ok.isSuccess()).as(ok.toString()).isTrue();
            assertThat(ok.body().text()).contains("MSA|AA|PYF-1");
            Response ae = forward.handle(Request.builder(Hl7.MLLP, "ADT^A01")
                    .body(Body.ofText(adt("PYF-2"), Hl7.ER7)).build());
            assertThat(ae.rejection()).map(Rejection::kind).contains(Rejection.Kind.INVALID);
            forward.stop();
        } finally {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
