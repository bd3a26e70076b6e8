package dev.harmony.http.backend;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import org.xnio.XnioIoThread;
import org.xnio.channels.StreamSourceChannel;
import org.xnio.streams.ChannelInputStream;

/**
 * A big or chunked upstream body, read with blocking reads straight from the connection (so it is
 * never held in heap). Must be read from a worker thread, never an I/O thread. At the end the
 * connection goes back to its pool; closed early, failed or cut short, the connection is closed.
 */
final class EventLoopBodyStream extends InputStream {
    private final InputStream channel;
    private final long declaredLength;
    private final EventLoopExchange exchange;
    private final byte[] one = new byte[1];
    private long count;
    private boolean ended;

    EventLoopBodyStream(StreamSourceChannel channel, long declaredLength, long readTimeoutMillis,
            EventLoopExchange exchange) {
        this.channel = new ChannelInputStream(channel, readTimeoutMillis, TimeUnit.MILLISECONDS);
        this.declaredLength = declaredLength;
        this.exchange = exchange;
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
        int n;
        try {
            n = channel.read(into, offset, length);
        } catch (IOException | RuntimeException e) {
            end(false);
            throw e;
        }
        if (n == -1) {
            if (declaredLength >= 0 && count < declaredLength) {
                end(false);
                throw new IOException("upstream closed the body after " + count + " of " + declaredLength + " bytes");
            }
            end(true);
            return -1;
        }
        count += n;
        return n;
    }

    @Override
    public int available() throws IOException {
        return ended ? 0 : channel.available();
    }

    /** Closing before the end closes the connection: the rest of the body is not worth reading. */
    @Override
    public void close() {
        if (!ended) {
            end(false);
        }
    }

    private void end(boolean reusable) {
        ended = true;
        exchange.streamEnded(reusable);
    }
}
