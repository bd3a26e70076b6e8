package dev.harmony.http.frontend;

import dev.harmony.message.Body;
import dev.harmony.pipeline.Rejection;
import dev.harmony.pipeline.RejectionException;
import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.xnio.IoUtils;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;
import org.xnio.channels.StreamSourceChannel;

/**
 * A request body read from Undertow's request channel without blocking: each {@link #read} takes what
 * the socket has, or waits for readable on the exchange's IO thread, never on a thread of its own. Holds
 * the body to its limit (413) and to an idle timeout between bytes (then the connection is closed once
 * answered). Everything runs on the exchange's IO thread; calls from elsewhere hop there.
 */
final class UploadSource implements Body.Source {
    private final HttpServerExchange exchange;
    private final XnioIoThread io;
    private final StreamSourceChannel channel;
    private final long limit;
    private final long timeoutNanos;
    private final Runnable release;
    /** As big as a small body (a 2 KB POST allocates 2 KB), else 64 KiB: fewer, bigger pieces stream faster. */
    private final ByteBuffer buffer;
    /** The reader waiting for bytes; null while none is. */
    private Body.Reader waiting;
    private long received;
    private long lastProgress = System.nanoTime();
    private XnioExecutor.Key idleTimer;
    /** The body ended, failed or was given up: no more reads from the channel. */
    private boolean over;
    private boolean ended;
    /** The chunk framing broke (see {@link ParserErrors}): where the next request starts is unknown. */
    private volatile boolean framingBroken;
    /** Inside {@link #pump}: a read asked for from a reader's callback is answered by its loop, not a nested call. */
    private boolean pumping;

    /**
     * @param declared the Content-Length, or -1
     * @param release called once when this upload stops counting against the ingress's bound
     */
    UploadSource(HttpServerExchange exchange, long declared, long limit, long timeoutNanos, Runnable release) {
        this.exchange = exchange;
        this.buffer = ByteBuffer.allocate((int) (declared > 0 ? Math.min(declared, 64 * 1024) : 64 * 1024));
        this.io = exchange.getIoThread();
        this.channel = exchange.getRequestChannel();
        this.limit = limit;
        this.timeoutNanos = timeoutNanos;
        this.release = release;
        channel.getReadSetter().set(c -> {
            c.suspendReads();
            if (waiting != null) {
                pump();
            }
        });
    }

    @Override
    public void read(Body.Reader reader) {
        onIo(() -> {
            if (over) {
                reader.onError(new IOException("request body no longer available"));
                return;
            }
            waiting = reader;
            if (!pumping) {
                pump();
            }
        });
    }

    /** Whether the body's chunk framing broke while it was read: then the answer is 400 and the connection ends. */
    boolean framingBroken() {
        return framingBroken;
    }

    @Override
    public void cancel() {
        onIo(() -> {
            waiting = null;
            stop();
        });
    }

    /**
     * Answers the waiting reader, and the next one it asks for from its callback, in a loop: a reader that
     * asks again at once while the socket keeps up (a proxy whose upstream takes every piece) would
     * otherwise nest one call per piece until the stack overflows.
     */
    private void pump() {
        pumping = true;
        try {
            while (waiting != null && !over && readOnce()) {
                // the reader asked for the next piece from its callback
            }
        } finally {
            pumping = false;
        }
    }

    /** Reads once: bytes, the end or a failure go to the waiting reader (true); nothing yet: wait for readable. */
    private boolean readOnce() {
        int n;
        buffer.clear();
        try {
            n = channel.read(buffer);
        } catch (IOException e) {
            fail(e);
            return false;
        }
        if (n == 0) {
            if (ParserErrors.framingBroken(exchange)) {
                framingBroken = true;
                fail(Rejection.malformed("the request body could not be read: its framing is invalid").toException());
                return false;
            }
            channel.resumeReads();
            if (idleTimer == null) {
                armIdleTimer(timeoutNanos);
            }
            return false;
        }
        Body.Reader reader = waiting;
        waiting = null;
        if (n < 0) {
            ended = true;
            stop();
            reader.onEnd();
            return false;
        }
        received += n;
        if (received > limit) {
            fail(Rejection.payloadTooLarge("request body exceeds the limit of " + limit + " bytes").toException(),
                    reader);
            return false;
        }
        lastProgress = System.nanoTime();
        buffer.flip();
        reader.onData(buffer);
        return true;
    }

    private void armIdleTimer(long nanos) {
        idleTimer = io.executeAfter(this::idleTimerFired, nanos, TimeUnit.NANOSECONDS);
    }

    private void idleTimerFired() {
        idleTimer = null;
        if (over || waiting == null) {
            return; // nobody waits for the client now; the next wait re-arms it
        }
        long left = lastProgress + timeoutNanos - System.nanoTime();
        if (left > 0) {
            armIdleTimer(left);
            return;
        }
        fail(Rejection.malformed("no request body bytes for " + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos)
                + " s").withReason("REQUEST_BODY_TIMEOUT").toException());
    }

    private void fail(Throwable failure) {
        Body.Reader reader = waiting;
        waiting = null;
        fail(failure, reader);
    }

    private void fail(Throwable failure, Body.Reader reader) {
        if (!(failure instanceof RejectionException r && r.rejection().kind() == Rejection.Kind.PAYLOAD_TOO_LARGE)) {
            exchange.setPersistent(false); // a stalled or broken body: the connection ends with the answer
        } // too large: the rest is read and dropped after the answer (within the timeout), so the client sees it
        stop();
        if (reader != null) {
            reader.onError(failure);
        }
    }

    private void stop() {
        if (!over) {
            over = true;
            if (idleTimer != null) {
                idleTimer.remove();
                idleTimer = null;
            }
            channel.suspendReads();
            release.run();
        }
    }

    /**
     * The answer is about to be written: a body nobody read to its end is left to Undertow, which reads and
     * drops the rest after the answer; a client that keeps that from ending within the timeout is cut off.
     */
    void answered() {
        waiting = null;
        stop();
        if (!ended) {
            limitDrain(exchange, timeoutNanos);
        }
    }

    /** Closes the connection if the rest of this exchange's request body has not arrived within the timeout. */
    static void limitDrain(HttpServerExchange exchange, long timeoutNanos) {
        if (!exchange.isRequestComplete()) {
            exchange.getIoThread().executeAfter(() -> {
                if (!exchange.isRequestComplete()) {
                    IoUtils.safeClose(exchange.getConnection());
                }
            }, timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void onIo(Runnable task) {
        if (Thread.currentThread() == io) {
            task.run();
        } else {
            io.execute(task);
        }
    }
}
