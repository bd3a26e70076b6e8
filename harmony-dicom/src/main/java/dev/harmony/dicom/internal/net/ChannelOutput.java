package dev.harmony.dicom.internal.net;

import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/** Writes to a non-blocking socket channel, waiting (bounded) while the peer does not read. */
public final class ChannelOutput extends OutputStream {
    private final SocketChannel channel;
    private final Selector selector;
    private final long timeoutMillis;

    public ChannelOutput(SocketChannel channel, long timeoutMillis) throws IOException {
        this.channel = channel;
        this.timeoutMillis = timeoutMillis;
        this.selector = Selector.open();
        channel.register(selector, SelectionKey.OP_WRITE);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        ByteBuffer data = ByteBuffer.wrap(b, off, len);
        while (data.hasRemaining()) {
            if (channel.write(data) == 0) {
                if (selector.select(timeoutMillis) == 0) {
                    throw new SocketTimeoutException("peer did not read for " + timeoutMillis + " ms");
                }
                selector.selectedKeys().clear();
            }
        }
    }

    @Override
    public void close() throws IOException {
        selector.close();
    }
}
