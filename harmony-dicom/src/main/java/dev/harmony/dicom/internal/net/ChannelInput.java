package dev.harmony.dicom.internal.net;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;

/**
 * Reads a non-blocking socket channel through one direct buffer, with a read timeout (blocking
 * channels ignore SO_TIMEOUT). {@link #transferTo} hands buffered bytes straight to another channel
 * (a file), so received data is copied only by the kernel: socket -> buffer -> file.
 */
public final class ChannelInput extends InputStream {
    private final SocketChannel channel;
    private final Selector selector;
    private final ByteBuffer buf;
    private volatile long timeoutMillis = 30_000;

    /** Thrown by {@link #transferTo} when writing to the target fails; the connection itself is fine. */
    public static final class SinkException extends IOException {
        private static final long serialVersionUID = 1L;

        public SinkException(IOException cause) {
            super(cause.getMessage(), cause);
        }

        /** The target's own failure. */
        public IOException sinkFailure() {
            return (IOException) getCause();
        }
    }

    public ChannelInput(SocketChannel channel, int bufferSize) throws IOException {
        this.channel = channel;
        channel.configureBlocking(false);
        this.selector = Selector.open();
        channel.register(selector, SelectionKey.OP_READ);
        this.buf = ByteBuffer.allocateDirect(bufferSize);
        buf.flip();
    }

    /** How long a read may wait for data before a {@link SocketTimeoutException}. */
    public void setTimeout(long millis) {
        this.timeoutMillis = millis;
    }

    @Override
    public int read() throws IOException {
        if (!buf.hasRemaining() && !fill()) {
            return -1;
        }
        return buf.get() & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!buf.hasRemaining() && !fill()) {
            return -1;
        }
        int n = Math.min(len, buf.remaining());
        buf.get(b, off, n);
        return n;
    }

    /**
     * Bytes that can be read without blocking: those buffered, else what one non-blocking read of the
     * socket brings (0 if nothing has arrived, or at end of stream).
     */
    @Override
    public int available() throws IOException {
        if (buf.hasRemaining()) {
            return buf.remaining();
        }
        buf.clear();
        int n;
        try {
            n = channel.read(buf);
        } finally {
            buf.flip();
        }
        return Math.max(n, 0);
    }

    /** Writes up to {@code max} received bytes to {@code target}; -1 at end of stream. */
    public long transferTo(WritableByteChannel target, long max) throws IOException {
        if (max == 0) {
            return 0;
        }
        if (!buf.hasRemaining() && !fill()) {
            return -1;
        }
        int n = (int) Math.min(max, buf.remaining());
        ByteBuffer slice = buf.slice();
        slice.limit(n);
        try {
            while (slice.hasRemaining()) {
                target.write(slice);
            }
        } catch (IOException e) {
            throw new SinkException(e);
        }
        buf.position(buf.position() + n);
        return n;
    }

    private boolean fill() throws IOException {
        buf.clear();
        try {
            while (true) {
                int n = channel.read(buf);
                if (n > 0) {
                    return true;
                }
                if (n < 0) {
                    return false;
                }
                int ready = selector.select(timeoutMillis);
                if (Thread.currentThread().isInterrupted()) {
                    throw new java.io.InterruptedIOException("interrupted while waiting for data");
                }
                if (!channel.isOpen()) {
                    throw new java.nio.channels.ClosedChannelException(); // closed by another thread, then woken
                }
                if (ready == 0) {
                    throw new SocketTimeoutException("no data for " + timeoutMillis + " ms");
                }
                selector.selectedKeys().clear();
            }
        } finally {
            buf.flip();
        }
    }

    /** Wakes a read blocked in select, e.g. after another thread closed the channel. */
    public void wakeup() {
        selector.wakeup();
    }

    @Override
    public void close() throws IOException {
        selector.close();
    }
}
