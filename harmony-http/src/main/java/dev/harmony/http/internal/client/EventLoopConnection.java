package dev.harmony.http.internal.client;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.XnioExecutor;
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
    /** When the current exchange's answer is overdue (System.nanoTime); Long.MAX_VALUE while none is awaited. */
    private long answerDue = Long.MAX_VALUE;
    /** One read-timeout timer per connection, re-armed when it fires rather than set and cancelled per request. */
    private XnioExecutor.Key watchdog;

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

    /**
     * Awaits an answer until {@code due}. Every exchange on a connection has the same read timeout, so a
     * running watchdog never fires later than the newest due time; when it fires early it re-arms for the rest.
     */
    void awaitAnswerBy(long due, long timeoutNanos) {
        answerDue = due;
        if (watchdog == null) {
            arm(timeoutNanos);
        }
    }

    /** No answer is awaited any more (it came, or a streamed body applies its own timeouts). */
    void answerArrived() {
        answerDue = Long.MAX_VALUE;
    }

    private void arm(long nanos) {
        watchdog = pool.ioThread.executeAfter(this::watchdogFired, nanos, TimeUnit.NANOSECONDS);
    }

    private void watchdogFired() {
        watchdog = null;
        if (exchange == null || answerDue == Long.MAX_VALUE || !isOpen()) {
            return; // idle, streaming or closed: the next exchange arms it again
        }
        long left = answerDue - System.nanoTime();
        if (left > 0) {
            arm(left);
        } else {
            exchange.timedOut();
        }
    }

    boolean isOpen() {
        return channel.isOpen();
    }

    /** Closes the socket at once (no lingering drain): for connections we give up on. */
    void close() {
        if (watchdog != null) {
            watchdog.remove();
            watchdog = null;
        }
        IoUtils.safeClose(channel);
    }
}
