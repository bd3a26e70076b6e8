package dev.harmony.hl7.frontend;

import dev.harmony.hl7.Hl7;
import dev.harmony.hl7.internal.Acks;
import dev.harmony.hl7.internal.Mllp;
import dev.harmony.hl7.internal.Msh;
import dev.harmony.hl7.internal.Parsing;
import dev.harmony.message.Attribute;
import dev.harmony.message.Body;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Handler;
import dev.harmony.pipeline.Rejection;
import dev.harmony.pipeline.RejectionException;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One MLLP connection: reads frames, runs each through the pipeline, writes each ACK in turn. */
final class MllpConnection {
    private static final Logger LOG = LoggerFactory.getLogger(MllpConnection.class);

    private final MllpListener listener;
    private final Socket socket;
    private final Handler handler;

    MllpConnection(MllpListener listener, Socket socket, Handler handler) {
        this.listener = listener;
        this.socket = socket;
        this.handler = handler;
    }

    void run() {
        Object peer = socket.getRemoteSocketAddress();
        try {
            socket.setTcpNoDelay(true);
            if (socket instanceof SSLSocket ssl) {
                socket.setSoTimeout((int) listener.frameTimeout.toMillis());
                ssl.startHandshake();
            }
            Mllp reader = new Mllp(socket, listener.maxMessageSize);
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 8192);
            long idle = listener.idleTimeout.toMillis();
            long frame = listener.frameTimeout.toMillis();
            while (true) {
                Mllp.Frame f = reader.next(idle, frame);
                if (f == null) {
                    return;
                }
                if (f.kind() == Mllp.Kind.NOT_MLLP) {
                    LOG.warn("MLLP {}: over {} bytes outside any frame, closing", peer, listener.maxMessageSize);
                    return;
                }
                byte[] ack = answer(f);
                if (ack != null) {
                    Mllp.write(socket, out, ack, frame); // a peer must take its ACK as fast as it sends
                }
            }
        } catch (SocketTimeoutException e) {
            LOG.info("MLLP {}: timed out, closing", peer);
        } catch (EOFException e) {
            LOG.info("MLLP {}: {}", peer, e.getMessage());
        } catch (IOException e) {
            if (!socket.isClosed()) {
                LOG.info("MLLP {}: {}", peer, e.toString());
            }
        }
    }

    /** The ACK bytes for one frame, or null if enhanced mode says not to answer. */
    private byte[] answer(Mllp.Frame f) {
        Msh msh = f.kind() == Mllp.Kind.MESSAGE ? Msh.read(f.bytes()) : Msh.readCut(f.bytes());
        Charset charset = msh == null ? StandardCharsets.ISO_8859_1 : msh.charset(listener.charset);
        String ack = switch (f.kind()) {
            case OVERSIZED -> Acks.forRejection(msh, Rejection.payloadTooLarge("message over "
                    + listener.maxMessageSize + " bytes"), listener.application);
            case BROKEN -> Acks.forRejection(msh, Rejection.malformed("broken MLLP framing"), listener.application);
            default -> process(f.bytes(), msh, charset);
        };
        return ack == null ? null : ack.getBytes(charset);
    }

    private String process(byte[] bytes, Msh msh, Charset charset) {
        String text = new String(bytes, charset);
        Parsing.Parsed parsed = null;
        try {
            if (listener.parse) {
                parsed = Parsing.parse(text, msh);
            } else {
                Parsing.check(text, msh);
            }
        } catch (RejectionException e) {
            return Acks.forRejection(msh, e.rejection(), listener.application);
        }
        String type = msh.messageType();
        if (listener.messageTypes != null && !listener.messageTypes.contains(type)
                && !listener.messageTypes.contains(msh.component(9, 1))) {
            return Acks.forRejection(msh, Rejection.unsupported("message type " + type + " is not accepted here"),
                    listener.application);
        }
        Request.Builder request = Request.builder(Hl7.MLLP, type)
                .body(Body.ofBytes(bytes, Hl7.ER7 + "; charset=" + charset.name()))
                .attribute(Hl7.MESSAGE_TYPE, type)
                .attribute(Hl7.CONTROL_ID, msh.controlId())
                .attribute(Hl7.VERSION, msh.version())
                .attribute(Hl7.SENDING_APPLICATION, msh.component(3, 1))
                .attribute(Hl7.SENDING_FACILITY, msh.component(4, 1));
        if (parsed != null) {
            request.attribute(Parsing.PARSED, parsed);
        }
        if (socket.getRemoteSocketAddress() instanceof InetSocketAddress remote) {
            request.attribute(Attribute.REMOTE_ADDRESS, remote);
        }
        Response response;
        try {
            response = handler.handle(request.build());
        } catch (RuntimeException e) {
            // a Handler never throws; this is a bug somewhere, answered like any internal failure
            response = Response.rejected(Rejection.internal("pipeline failed: " + e));
        }
        response.rejection().ifPresent(r -> LOG.info("MLLP {} {}: {}", type, msh.controlId(), r));
        return Acks.forResponse(msh, response, listener.application);
    }
}
