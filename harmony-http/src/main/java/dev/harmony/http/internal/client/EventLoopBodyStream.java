package dev.harmony.http.internal.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.xnio.XnioIoThread;
import org.xnio.channels.StreamSourceChannel;

/**
 * A big, chunked or close-delimited upstream body, read with blocking reads straight from the connection
 * (so it is never held in heap); chunks are decoded here, trailers skipped. Must be read from a worker
 * thread, never an I/O thread. At the clean end the connection goes back to its pool; closed early,
 * failed or cut short, the connection is closed.
 */
final class EventLoopBodyStream extends InputStream {
    /** A chunk-size or trailer line longer than this is not HTTP we want to talk. */
    private static final int MAX_LINE = 8 * 1024;

    private final StreamSourceChannel channel;
    /** Bytes read past the head, then our buffer for chunk framing. */
    private final ByteBuffer in;
    /** Content-Length, {@link EventLoopResponseHead#CHUNKED} or {@link EventLoopResponseHead#UNTIL_CLOSE}. */
    private final long declared;
    private final long timeoutNanos;
    private final EventLoopExchange exchange;
    private final byte[] one = new byte[1];
    /** Bytes left in the body (Content-Length), the current chunk, or "all" until the close. */
    private long left;
    private long count;
    private boolean firstChunk = true;
    private boolean ended;

    EventLoopBodyStream(StreamSourceChannel channel, ByteBuffer in, long declared, long readTimeoutMillis,
            EventLoopExchange exchange) {
        this.channel = channel;
        this.in = in;
        this.declared = declared;
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(readTimeoutMillis);
        this.exchange = exchange;
        this.left = declared >= 0 ? declared : declared == EventLoopResponseHead.CHUNKED ? 0 : Long.MAX_VALUE;
    }

    @Override
    public int read() throws IOException {
        int n = read(one, 0, 1);
        return n == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] into, int offset, int length) throws IOException {
        if (ended) {
            return -1;
        }
        if (length == 0) {
            return 0;
        }
        if (Thread.currentThread() instanceof XnioIoThread) { // a blocking read there would stall every connection
            throw new IOException("an upstream body stream must be read from a worker thread, not an I/O thread");
        }
        try {
            if (left == 0 && !(declared == EventLoopResponseHead.CHUNKED && nextChunk())) {
                end(!in.hasRemaining()); // bytes after the body: the upstream pipelines or lies; don't reuse
                return -1;
            }
            int n = (int) Math.min(length, left);
            if (in.hasRemaining()) {
                n = Math.min(n, in.remaining());
                in.get(into, offset, n);
            } else if ((n = fill(ByteBuffer.wrap(into, offset, n))) == -1) {
                if (declared != EventLoopResponseHead.UNTIL_CLOSE) {
                    throw new IOException("upstream closed the body after " + count
                            + (declared >= 0 ? " of " + declared : "") + " bytes");
                }
                end(false);
                return -1;
            }
            left -= n;
            count += n;
            return n;
        } catch (IOException | RuntimeException e) {
            if (!ended) {
                end(false);
            }
            throw e;
        }
    }

    /** Reads the next chunk-size line (and the CRLF ending the previous chunk); false at the last chunk. */
    private boolean nextChunk() throws IOException {
        if (!firstChunk && !line().isEmpty()) {
            throw new IOException("upstream chunk not followed by CRLF");
        }
        firstChunk = false;
        String line = line();
        int semicolon = line.indexOf(';'); // chunk extensions: ignored
        String size = (semicolon < 0 ? line : line.substring(0, semicolon)).strip();
        try {
            left = size.isEmpty() || size.length() > 15 || size.charAt(0) == '+' ? -1 : Long.parseLong(size, 16);
        } catch (NumberFormatException e) {
            left = -1;
        }
        if (left < 0) {
            throw new IOException("upstream sent a bad chunk size line: '" + line + "'");
        }
        if (left > 0) {
            return true;
        }
        while (!line().isEmpty()) {
            // trailer fields: not passed on (the head is long gone)
        }
        return false;
    }

    private String line() throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            if (!in.hasRemaining()) {
                in.clear();
                int n = fill(in);
                in.flip();
                if (n == -1) {
                    throw new IOException("upstream closed the chunked body after " + count + " bytes");
                }
            }
            byte b = in.get();
            if (b == '\n') {
                if (line.length() == 0 || line.charAt(line.length() - 1) != '\r') {
                    throw new IOException("upstream sent a bare LF in chunk framing");
                }
                return line.substring(0, line.length() - 1);
            }
            if (line.length() >= MAX_LINE) {
                throw new IOException("upstream chunk framing line too long");
            }
            line.append((char) (b & 0xff));
        }
    }

    /** One blocking read, at most the read timeout long; -1 at the end of the stream. */
    private int fill(ByteBuffer into) throws IOException {
        long deadline = System.nanoTime() + timeoutNanos;
        int n;
        while ((n = channel.read(into)) == 0) {
            long wait = deadline - System.nanoTime();
            if (wait <= 0) {
                throw new SocketTimeoutException("no body bytes from upstream within "
                        + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
            }
            channel.awaitReadable(wait, TimeUnit.NANOSECONDS);
        }
        return n;
    }

    @Override
    public int available() {
        return ended ? 0 : (int) Math.min(in.remaining(), left);
    }

    /** Closing before the end closes the connection: the rest of the body is not worth reading. */
    @Override
    public void close() {
        if (!ended) {
            end(declared >= 0 && left == 0 && !in.hasRemaining());
        }
    }

    private void end(boolean reusable) {
        ended = true;
        exchange.streamEnded(reusable);
    }
}
