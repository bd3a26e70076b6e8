package dev.harmony.hl7.backend;

import dev.harmony.hl7.Hl7;
import dev.harmony.hl7.internal.Acks;
import dev.harmony.hl7.internal.Mllp;
import dev.harmony.hl7.internal.Msh;
import dev.harmony.message.Body;
import dev.harmony.message.Protocol;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Backend;
import dev.harmony.pipeline.Rejection;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each HL7 v2 message to a downstream MLLP receiver and waits for its ACK.
 *
 * <pre>{@code
 * Backend lab = DeliveryQueue.journal(Path.of("/var/lib/harmony/queue"))
 *         .deliverTo("lab", MllpForward.to("lab.local", 2575).ackTimeout(Duration.ofSeconds(30)).build())
 *         .build();
 * }</pre>
 *
 * <p>The ACK counts only if its MSA-2 equals the message's MSH-10: any other frame on the connection
 * (a late ACK for an earlier message, a wrong one) is dropped and the wait goes on, within the same
 * {@link Builder#ackTimeout}, which also bounds a downstream that stops taking the message's bytes. When
 * that runs out the connection is closed, so an ACK that comes even
 * later cannot be read as the answer to the next message; the next message opens a new connection.
 *
 * <p>AA or CA is success (the ACK is the response body). AR/CR becomes an {@code UNSUPPORTED}
 * rejection and AE/CE an {@code INVALID} one (permanent for a delivery queue: resending the same
 * message will not change the peer's mind); a refused or broken connection {@code UPSTREAM_UNAVAILABLE},
 * no ACK in time {@code UPSTREAM_TIMEOUT} (both retried by a queue). The mapping lives in
 * {@code internal.Acks.kindOf}. Retries are the queue's job: this stage tries once.
 *
 * <p>Idle connections are kept for the next message (at most {@link Builder#maxIdleConnections});
 * several threads may send at once, each on its own connection.
 */
public final class MllpForward implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(MllpForward.class);

    private final String host;
    private final int port;
    private final Duration connectTimeout;
    private final Duration ackTimeout;
    private final int maxAckSize;
    private final int maxIdle;
    private final SSLContext tls;
    private final Deque<Socket> idle = new ArrayDeque<>(); // guarded by itself

    private MllpForward(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.connectTimeout = b.connectTimeout;
        this.ackTimeout = b.ackTimeout;
        this.maxAckSize = b.maxAckSize;
        this.maxIdle = b.maxIdleConnections;
        this.tls = b.tls;
    }

    /** Starts configuring a forwarder to {@code host:port}. */
    public static Builder to(String host, int port) {
        return new Builder(host, port);
    }

    @Override
    public Set<Protocol> protocols() {
        return Set.of(Hl7.MLLP);
    }

    @Override
    public Description describe() {
        return new Description("MLLP Forward", host + ":" + port + (tls != null ? " · TLS" : ""));
    }

    @Override
    public Response handle(Request request) throws IOException {
        byte[] message = request.body().bytes();
        Msh msh = Msh.read(message);
        if (msh == null || msh.controlId().isEmpty()) {
            return Response.rejected(Rejection.malformed("not an HL7 v2 message with a control id (MSH-10)"));
        }
        String controlId = msh.controlId();
        Socket socket = take();
        boolean reusable = false;
        try {
            if (socket == null) {
                socket = connect();
            }
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 8192);
            long deadline = System.nanoTime() + ackTimeout.toNanos(); // for taking the message and answering it
            Mllp.write(socket, out, message, ackTimeout.toMillis());
            Mllp reader = new Mllp(socket, maxAckSize);
            while (true) {
                long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000L);
                Mllp.Frame f = reader.nextWithin(left);
                if (f == null) {
                    throw new EOFException("connection closed before the ACK");
                }
                if (f.kind() == Mllp.Kind.NOT_MLLP) {
                    throw new IOException("the peer does not speak MLLP");
                }
                String text = new String(f.bytes(), StandardCharsets.ISO_8859_1);
                Acks.Received ack = f.kind() == Mllp.Kind.MESSAGE ? Acks.Received.parse(text) : null;
                if (ack == null || !ack.controlId().equals(controlId)) {
                    LOG.warn("MLLP {}:{}: dropped a frame that is not the ACK of {} ({})", host, port, controlId,
                            ack == null ? "not an ACK" : "MSA-2 " + ack.controlId());
                    continue;
                }
                reusable = true;
                if (ack.code().accepted()) {
                    return Response.ok(Body.ofBytes(f.bytes(), Hl7.ER7));
                }
                return Response.rejected(Rejection.of(Acks.kindOf(ack.code()), host + ":" + port + " answered "
                        + ack.code() + (ack.text().isEmpty() ? "" : ": " + ack.text())).withReason(ack.code().name()));
            }
        } catch (SocketTimeoutException e) {
            return Response.rejected(Rejection.upstreamTimeout("no ACK for " + controlId + " from " + host + ":" + port
                    + " within " + ackTimeout.toMillis() + " ms"));
        } catch (IOException e) {
            return Response.rejected(Rejection.upstreamUnavailable("MLLP " + host + ":" + port + ": " + e));
        } finally {
            if (socket != null) {
                if (reusable) {
                    give(socket);
                } else {
                    close(socket);
                }
            }
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), (int) connectTimeout.toMillis());
            if (tls != null) {
                SSLSocket ssl = (SSLSocket) tls.getSocketFactory().createSocket(socket, host, port, true);
                ssl.setSoTimeout((int) ackTimeout.toMillis());
                ssl.startHandshake();
                return ssl;
            }
            return socket;
        } catch (IOException e) {
            close(socket);
            throw e;
        }
    }

    private Socket take() {
        synchronized (idle) {
            return idle.pollFirst();
        }
    }

    private void give(Socket socket) {
        synchronized (idle) {
            if (idle.size() < maxIdle) {
                idle.addFirst(socket);
                return;
            }
        }
        close(socket);
    }

    @Override
    public void stop() {
        synchronized (idle) {
            idle.forEach(MllpForward::close);
            idle.clear();
        }
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Configures an {@link MllpForward}; {@link #build()} checks every option. */
    public static final class Builder {
        private final String host;
        private final int port;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration ackTimeout = Duration.ofSeconds(30);
        private int maxAckSize = 1024 * 1024;
        private int maxIdleConnections = 4;
        private SSLContext tls;

        private Builder(String host, int port) {
            this.host = host;
            this.port = port;
        }

        /** How long to wait for the TCP connection. Default 10 s. */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = value;
            return this;
        }

        /** How long sending a message and getting its ACK may take; then the connection is closed. Default 30 s. */
        public Builder ackTimeout(Duration value) {
            this.ackTimeout = value;
            return this;
        }

        /** The largest ACK read. Default 1 MiB. */
        public Builder maxAckSize(int bytes) {
            this.maxAckSize = bytes;
            return this;
        }

        /** Connections kept open between messages. Default 4. */
        public Builder maxIdleConnections(int value) {
            this.maxIdleConnections = value;
            return this;
        }

        /** Speak MLLP over TLS with this context (its trust manager checks the peer). */
        public Builder tls(SSLContext context) {
            this.tls = Objects.requireNonNull(context, "MllpForward.tls");
            return this;
        }

        public MllpForward build() {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("MllpForward.to: a host is needed");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("MllpForward.to: port must be 1..65535: " + port);
            }
            for (var d : new Object[][] {{connectTimeout, "connectTimeout"}, {ackTimeout, "ackTimeout"}}) {
                Duration v = (Duration) d[0];
                if (v == null || v.isZero() || v.isNegative() || v.toMillis() > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("MllpForward." + d[1] + " must be positive: " + v);
                }
            }
            if (maxAckSize < 64) {
                throw new IllegalArgumentException("MllpForward.maxAckSize must be >= 64: " + maxAckSize);
            }
            if (maxIdleConnections < 0) {
                throw new IllegalArgumentException("MllpForward.maxIdleConnections must be >= 0: " + maxIdleConnections);
            }
            return new MllpForward(this);
        }
    }
}
