package dev.harmony.http.backend;

import java.nio.ByteBuffer;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;

/**
 * One keep-alive TCP connection to the upstream and the heap buffer its answers are parsed from. Read
 * interest stays on for its whole life, busy or idle, so a request costs no epoll_ctl: readable while
 * idle can only mean the upstream closed it (or sent garbage), and then it leaves the pool. Only while a
 * streamed body is read (blocking, from a worker) are reads suspended, or the I/O thread would spin.
 */
final class EventLoopConnection {
    final StreamConnection channel;
    final ConduitStreamSourceChannel source;
    final ConduitStreamSinkChannel sink;
    private final EventLoopPool pool;
    /** Answer bytes read but not yet consumed; grows up to the head limit for a big head. */
    ByteBuffer in = ByteBuffer.allocate(16 * 1024);
    /** The request using this connection; null while idle. */
    EventLoopExchange exchange;

    EventLoopConnection(StreamConnection channel, EventLoopPool pool) {
        this.channel = channel;
        this.source = channel.getSourceChannel();
        this.sink = channel.getSinkChannel();
        this.pool = pool;
        source.setReadListener(ready -> readable());
        source.resumeReads();
        sink.setWriteListener(ready -> {
            if (exchange != null) {
                exchange.writable();
            } else {
                ready.suspendWrites();
            }
        });
    }

    private void readable() {
        if (exchange != null) {
            exchange.readable();
        } else {
            pool.closedWhileIdle(this);
        }
    }

    boolean isOpen() {
        return channel.isOpen();
    }

    /** Closes the socket at once (no lingering drain): for connections we give up on. */
    void close() {
        IoUtils.safeClose(channel);
    }
}
