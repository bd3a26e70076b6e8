package dev.harmony.http.frontend;

import dev.harmony.message.Body;
import dev.harmony.pipeline.Rejection;
import dev.harmony.pipeline.RejectionRenderer;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpServerConnection;
import io.undertow.util.StatusCodes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.xnio.Buffers;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.channels.StreamSourceChannel;
import org.xnio.conduits.ConduitReadableByteChannel;
import org.xnio.conduits.AbstractStreamSinkConduit;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.Conduits;
import org.xnio.conduits.StreamSinkConduit;
import org.xnio.conduits.StreamSourceConduit;

/**
 * Gives the answers Undertow writes itself, before any handler runs, the ingress's shape.
 *
 * <p>Undertow answers a request head it cannot parse (bad syntax, a head over {@code MAX_HEADER_SIZE},
 * {@code Content-Length} with {@code Transfer-Encoding}, two {@code Content-Length}s, an overflowing
 * length, an unknown protocol version) by writing a fixed {@code 400} with no body straight to the
 * socket, and a missing, repeated or malformed {@code Host} by a {@code 400} with its own reason phrase,
 * both ahead of the root handler, so no handler can answer them. This sits between the socket and
 * Undertow on each connection: it recognises exactly those byte sequences (written while no exchange of
 * ours is answering) and writes in their place the rejection rendered by the port's renderer, still
 * closing the connection. It also counts the bytes read while a head is being parsed, so an oversized
 * head becomes a 431 rather than a 400.
 */
final class ParserErrors {
    /** What Undertow's HttpReadListener writes for a head it cannot parse. */
    private static final byte[] BAD_REQUEST =
            "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] STATUS_400 = "HTTP/1.1 400 ".getBytes(StandardCharsets.US_ASCII);
    /** The reason phrases of Undertow's HostHeaderHandler, each a 400 without a body. */
    private static final List<byte[]> HOST_REASONS = List.of("No Host Header", "Only One Host Header Allowed",
            "Host Header Malformed Port", "Host Header Malformed IP-Literal", "Host Header Bad Characters",
            "URI Host Header NO MATCH").stream().map(r -> (r + "\r\n").getBytes(StandardCharsets.US_ASCII)).toList();

    private ParserErrors() {
    }

    /** Wraps {@code open} so every new connection gets the guard before Undertow sees it. */
    static ChannelListener<StreamConnection> guarding(ChannelListener<StreamConnection> open, int maxHeaderSize,
            Supplier<RejectionRenderer> renderer) {
        return connection -> {
            Guard guard = new Guard(connection, maxHeaderSize, renderer);
            connection.getSourceChannel().setConduit(guard.new Source(connection.getSourceChannel().getConduit()));
            connection.getSinkChannel().setConduit(guard.new Sink(connection.getSinkChannel().getConduit()));
            open.handleEvent(connection);
        };
    }

    /*
     * A connection's guard is found through its source conduit: Undertow wraps the sink in its own
     * write-timeout conduit on top of ours (the ingress's writeTimeout), but leaves the source alone
     * (no READ_TIMEOUT is set).
     */

    /** Tells the connection's guard that {@code exchange} reached the ingress, so its answer is left alone. */
    static void handling(HttpServerExchange exchange) {
        if (exchange.getConnection() instanceof HttpServerConnection c && c.getOriginalSourceConduit() instanceof Guard.Source s) {
            s.guard().ours = exchange;
            s.guard().headBytes = 0;
        }
    }

    /**
     * Starts checking the chunked body of {@code exchange} (see {@link ChunkFraming}): first the part
     * Undertow already read with the head, then every read. A problem found later fails that read.
     *
     * @return what is wrong with the part already read, or null
     */
    static String checkChunks(HttpServerExchange exchange) {
        if (!(exchange.getConnection() instanceof HttpServerConnection c && c.getOriginalSourceConduit() instanceof Guard.Source s)) {
            return null;
        }
        ChunkFraming chunks = new ChunkFraming(s.guard().maxHeaderSize);
        if (c.getExtraBytes() != null) {
            ByteBuffer extra = c.getExtraBytes().getBuffer();
            if (chunks.feed(extra, extra.position(), extra.limit()) >= 0) {
                return chunks.problem();
            }
        }
        s.guard().chunks = chunks.done() ? null : chunks;
        return null;
    }

    /** Whether the chunked body of {@code exchange} broke its framing (reads then return nothing more). */
    static boolean framingBroken(HttpServerExchange exchange) {
        return exchange.getConnection() instanceof HttpServerConnection c && c.getOriginalSourceConduit() instanceof Guard.Source s
                && s.guard().broken != null;
    }

    /** The answer for an Undertow-made error, as the bytes to send instead. */
    static byte[] render(Rejection rejection, RejectionRenderer renderer) {
        Body body = renderer.render(rejection);
        byte[] content;
        try {
            content = body.bytes();
        } catch (RuntimeException e) {
            content = new byte[0];
        }
        int status = rejection.kind().status();
        StringBuilder head = new StringBuilder(160).append("HTTP/1.1 ").append(status).append(' ')
                .append(StatusCodes.getReason(status)).append("\r\n");
        body.contentType().ifPresent(ct -> head.append("Content-Type: ").append(ct).append("\r\n"));
        head.append("Content-Length: ").append(content.length).append("\r\nConnection: close\r\n\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[h.length + content.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(content, 0, all, h.length, content.length);
        return all;
    }

    /** The state of one connection, touched by one thread at a time (Undertow hands a connection over). */
    private static final class Guard {
        private final StreamConnection connection;
        private final int maxHeaderSize;
        private final Supplier<RejectionRenderer> renderer;
        /** The last exchange the ingress saw on this connection. */
        HttpServerExchange ours;
        /** Bytes read since then while no exchange of ours was answering: the head being parsed. */
        long headBytes;
        /** Our replacement for an Undertow-made answer, still to be written. */
        ByteBuffer pending;
        boolean terminatePending;
        /** The chunked body being read, while it lasts. */
        ChunkFraming chunks;
        /** What broke the chunked body being read; from then on nothing more is read. */
        String broken;

        Guard(StreamConnection connection, int maxHeaderSize, Supplier<RejectionRenderer> renderer) {
            this.connection = connection;
            this.maxHeaderSize = maxHeaderSize;
            this.renderer = renderer;
        }

        boolean betweenExchanges() {
            return ours == null || ours.isResponseComplete();
        }

        /** The replacement if {@code src} is one of Undertow's own error answers, else null. */
        byte[] replacement(ByteBuffer src) {
            if (!betweenExchanges() || !startsWith(src, STATUS_400, 0)) {
                return null; // the common case: not a 400, or one of ours
            }
            if (src.remaining() == BAD_REQUEST.length && startsWith(src, BAD_REQUEST, 0)) {
                Rejection r = headBytes > maxHeaderSize
                        ? Rejection.of(Rejection.Kind.HEADERS_TOO_LARGE,
                                "the request head is larger than the limit of " + maxHeaderSize + " bytes")
                        : Rejection.malformed("the request is not valid HTTP/1.1 (request line, headers or framing)");
                return render(r, renderer.get());
            }
            for (byte[] reason : HOST_REASONS) {
                if (startsWith(src, reason, STATUS_400.length)) {
                    return render(Rejection.malformed("the request must carry exactly one valid Host header"),
                            renderer.get());
                }
            }
            return null;
        }

        private static boolean startsWith(ByteBuffer src, byte[] prefix, int offset) {
            if (src.remaining() < offset + prefix.length) {
                return false;
            }
            int p = src.position() + offset;
            for (int i = 0; i < prefix.length; i++) {
                if (src.get(p + i) != prefix[i]) {
                    return false;
                }
            }
            return true;
        }

        final class Source extends AbstractStreamSourceConduit<StreamSourceConduit> {
            Source(StreamSourceConduit next) {
                super(next);
            }

            Guard guard() {
                return Guard.this;
            }

            /*
             * When the chunk framing breaks, the bytes before the break are delivered and nothing after
             * it. Throwing from read() would make Undertow's chunk decoder close the connection before
             * the 400 could be written; so reads return 0 from then on, a blocking reader learns of it
             * from awaitReadable() (it fails, the ingress answers 400 and closes), and a non-blocking
             * reader that asks to be woken again gets the connection closed.
             */
            @Override
            public int read(ByteBuffer dst) throws IOException {
                if (broken != null) {
                    return 0;
                }
                int start = dst.position();
                int n = next.read(dst);
                if (n > 0) {
                    if (chunks != null) {
                        int stop = chunks.feed(dst, start, start + n);
                        if (stop >= 0) {
                            broken = chunks.problem();
                            chunks = null;
                            dst.position(stop);
                            return stop - start;
                        }
                        if (chunks.done()) {
                            chunks = null;
                        }
                    } else if (betweenExchanges()) {
                        headBytes += n;
                    }
                }
                return n;
            }

            @Override
            public long read(ByteBuffer[] dsts, int offs, int len) throws IOException {
                if (chunks == null && broken == null) {
                    long n = next.read(dsts, offs, len);
                    if (n > 0 && betweenExchanges()) {
                        headBytes += n;
                    }
                    return n;
                }
                for (int i = offs; i < offs + len; i++) {
                    if (dsts[i].hasRemaining()) {
                        return read(dsts[i]); // one buffer at a time while the chunks are checked
                    }
                }
                return 0;
            }

            @Override
            public void awaitReadable() throws IOException {
                failIfBroken();
                next.awaitReadable();
            }

            @Override
            public void awaitReadable(long time, TimeUnit timeUnit) throws IOException {
                failIfBroken();
                next.awaitReadable(time, timeUnit);
            }

            @Override
            public void resumeReads() {
                if (broken != null) {
                    IoUtils.safeClose(connection);
                } else {
                    next.resumeReads();
                }
            }

            private void failIfBroken() throws IOException {
                if (broken != null) {
                    throw new IOException("invalid chunked request body: " + broken);
                }
            }

            // Transfers go through read(), so nothing bypasses the chunk check.
            @Override
            public long transferTo(long position, long count, FileChannel target) throws IOException {
                return target.transferFrom(new ConduitReadableByteChannel(this), position, count);
            }

            @Override
            public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target) throws IOException {
                return Conduits.transfer(this, count, throughBuffer, target);
            }
        }

        final class Sink extends AbstractStreamSinkConduit<StreamSinkConduit> {
            Sink(StreamSinkConduit next) {
                super(next);
            }

            /** Writes what is pending; true once nothing is. */
            private boolean drained() throws IOException {
                while (pending != null) {
                    if (next.write(pending) == 0 && pending.hasRemaining()) {
                        return false;
                    }
                    if (!pending.hasRemaining()) {
                        pending = null;
                        if (terminatePending) {
                            terminatePending = false;
                            next.terminateWrites();
                        }
                    }
                }
                return true;
            }

            /** Swallows {@code src} and queues our answer if it is one of Undertow's; true if it did. */
            private boolean replaced(ByteBuffer src) throws IOException {
                byte[] ours = replacement(src);
                if (ours == null) {
                    return false;
                }
                src.position(src.limit());
                pending = ByteBuffer.wrap(ours);
                drained();
                return true;
            }

            @Override
            public int write(ByteBuffer src) throws IOException {
                if (!drained()) {
                    return 0;
                }
                int n = src.remaining();
                return replaced(src) ? n : next.write(src);
            }

            @Override
            public long write(ByteBuffer[] srcs, int offs, int len) throws IOException {
                if (!drained()) {
                    return 0;
                }
                if (len > 0 && betweenExchanges()) {
                    long total = Buffers.remaining(srcs, offs, len);
                    if (replaced(srcs[offs])) {
                        for (int i = offs + 1; i < offs + len; i++) {
                            srcs[i].position(srcs[i].limit()); // an Undertow error answer has no body
                        }
                        return total;
                    }
                }
                return next.write(srcs, offs, len);
            }

            @Override
            public int writeFinal(ByteBuffer src) throws IOException {
                return Conduits.writeFinalBasic(this, src);
            }

            @Override
            public long writeFinal(ByteBuffer[] srcs, int offs, int len) throws IOException {
                return Conduits.writeFinalBasic(this, srcs, offs, len);
            }

            @Override
            public long transferFrom(FileChannel src, long position, long count) throws IOException {
                return drained() ? next.transferFrom(src, position, count) : 0;
            }

            @Override
            public long transferFrom(StreamSourceChannel src, long count, ByteBuffer throughBuffer) throws IOException {
                if (!drained()) {
                    throughBuffer.limit(0);
                    return 0;
                }
                return next.transferFrom(src, count, throughBuffer);
            }

            @Override
            public void terminateWrites() throws IOException {
                if (pending != null) {
                    terminatePending = true;
                } else {
                    next.terminateWrites();
                }
            }

            @Override
            public boolean flush() throws IOException {
                return drained() && next.flush();
            }
        }
    }
}
