package dev.harmony.dicom.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.Uids;
import dev.harmony.dicom.internal.dimse.Command;
import dev.harmony.dicom.internal.dimse.CommandField;
import dev.harmony.dicom.internal.dimse.MessageReader;
import dev.harmony.dicom.internal.net.AbortedException;
import dev.harmony.dicom.internal.net.AssociateAccept;
import dev.harmony.dicom.internal.net.AssociateRequest;
import dev.harmony.dicom.internal.net.PDataWriter;
import dev.harmony.dicom.internal.net.PduCodec;
import dev.harmony.dicom.internal.net.PduReader;
import dev.harmony.dicom.internal.net.PduType;
import dev.harmony.dicom.internal.net.PresentationContext;
import dev.harmony.dicom.internal.net.PresentationResult;
import dev.harmony.dicom.internal.net.UserInfo;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A raw-socket PACS for the proxy's hostile-peer tests: it takes one association (every proposed context
 * accepted in its first transfer syntax), reads the one retrieve request, then plays a script.
 */
final class RawPacs implements AutoCloseable {
    interface Script {
        /** What the PACS saw, as text, for the test to check. */
        String run(Peer peer) throws IOException;
    }

    /** The PACS's side of the one association the proxy opens. */
    record Peer(OutputStream out, MessageReader messages, Command request, int context, List<PresentationContext> proposed) {
        void command(int onContext, Command c) throws IOException {
            PDataWriter.sendAll(out, new Object(), 1 << 20, onContext, true, c.encode());
        }

        void command(Command c) throws IOException {
            command(context, c);
        }

        /** A Pending response to the request with these counts (none failed or warned). */
        void pending(int remaining, int completed) throws IOException {
            command(Command.responseTo(request, 0xFF00).setUs(Command.NUMBER_OF_REMAINING_SUBOPERATIONS, remaining)
                    .setUs(Command.NUMBER_OF_COMPLETED_SUBOPERATIONS, completed)
                    .setUs(Command.NUMBER_OF_FAILED_SUBOPERATIONS, 0).setUs(Command.NUMBER_OF_WARNING_SUBOPERATIONS, 0));
        }

        void abort() throws IOException {
            out.write(PduCodec.abort(2, 0));
            out.flush();
        }

        /** The accepted context for {@code sopClass} in {@code ts}, or -1. */
        int contextFor(String sopClass, String ts) {
            for (PresentationContext pc : proposed) {
                if (pc.abstractSyntax().equals(sopClass) && pc.transferSyntaxes().get(0).equals(ts)) {
                    return pc.id();
                }
            }
            return -1;
        }

        /** The next thing the proxy sends, as text (a release request is answered). */
        String next() {
            try {
                MessageReader.Event e = messages.next();
                if (e instanceof MessageReader.Message m) {
                    return CommandField.name(m.command().commandField());
                }
                if (e instanceof MessageReader.ReleaseRequest) {
                    out.write(PduCodec.releaseResponse());
                    out.flush();
                    return "release";
                }
                return e.toString();
            } catch (AbortedException a) {
                return "A-ABORT";
            } catch (IOException x) {
                return x.toString();
            }
        }
    }

    private final ServerSocket server;
    private final CompletableFuture<String> played;

    /** Listens on loopback; the first association's request must be {@code commandField}, then {@code script} runs. */
    RawPacs(int commandField, Script script) throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        server.setSoTimeout(20_000);
        played = CompletableFuture.supplyAsync(() -> {
            try (Socket s = server.accept()) {
                s.setSoTimeout(20_000);
                InputStream in = new BufferedInputStream(s.getInputStream());
                OutputStream out = s.getOutputStream();
                PduReader pdus = new PduReader(in, 1 << 20, 1 << 20);
                assertThat(pdus.next()).isEqualTo(PduType.ASSOCIATE_RQ);
                AssociateRequest rq = PduCodec.decodeRequest(pdus.controlBody());
                List<PresentationResult> results = new ArrayList<>();
                for (PresentationContext pc : rq.contexts()) {
                    results.add(new PresentationResult(pc.id(), PresentationResult.ACCEPTANCE, pc.transferSyntaxes().get(0)));
                }
                out.write(PduCodec.encode(new AssociateAccept(rq.calledAe(), rq.callingAe(), rq.applicationContext(),
                        results, new UserInfo(1 << 20, Uids.IMPLEMENTATION_CLASS, null, 0, 0, List.of()))));
                out.flush();
                MessageReader messages = new MessageReader(pdus);
                MessageReader.Message request = (MessageReader.Message) messages.next();
                assertThat(request.command().commandField()).isEqualTo(commandField);
                request.data().drain();
                return script.run(new Peer(out, messages, request.command(), request.context(), rq.contexts()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    DicomNode node() {
        return DicomNode.of("RAWPACS", "127.0.0.1", server.getLocalPort());
    }

    /** What the script returned, waiting at most 30 s. */
    String played() throws Exception {
        return played.get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
