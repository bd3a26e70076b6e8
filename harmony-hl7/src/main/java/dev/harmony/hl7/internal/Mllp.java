package dev.harmony.hl7.internal;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * MLLP framing on a blocking socket: a start byte 0x0B, the message, then 0x1C 0x0D. The reader has
 * two clocks: between messages the connection may be idle for {@code idleMillis}; once a message has
 * started it must be complete within {@code frameMillis}, so a peer that trickles bytes cannot hold a
 * connection (and its thread) forever. Both end in a {@link SocketTimeoutException}.
 */
public final class Mllp {
    public static final int START = 0x0B;
    public static final int END = 0x1C;
    public static final int CR = 0x0D;

    /**
     * The sockets with a write under way, each with the time by which it must be done. A map entry per
     * write is cheap; scheduling a timer task per write cost a quarter of the listener's throughput.
     */
    private static final Map<Socket, Long> WRITING = new ConcurrentHashMap<>();
    /** How often one daemon thread looks for overdue writes: the bound is the timeout plus at most this. */
    private static final long SWEEP_MILLIS = 100;
    private static final ScheduledExecutorService WRITE_WATCH = writeWatch();

    /** How a frame ended. */
    public enum Kind {
        /** 0x0B ... 0x1C 0x0D, within the size limit. */
        MESSAGE,
        /** Properly ended but longer than the limit: {@link Frame#bytes()} holds only its first bytes. */
        OVERSIZED,
        /** A start byte inside a message, or 0x1C not followed by 0x0D: the bytes so far. */
        BROKEN,
        /** More than the size limit of bytes outside any frame: not an MLLP peer. */
        NOT_MLLP
    }

    /** One frame's content (without the framing bytes). */
    public record Frame(Kind kind, byte[] bytes) {
    }

    private final Socket socket;
    private final InputStream in;
    private final int maxMessageSize;
    private final byte[] buffer = new byte[16 * 1024];
    private int pos;
    private int limit;
    private boolean pendingStart; // a start byte ended the previous (broken) frame and begins the next

    public Mllp(Socket socket, int maxMessageSize) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.maxMessageSize = maxMessageSize;
    }

    /**
     * The next frame, or null at a clean end of stream between frames. Throws {@link EOFException} if
     * the stream ends inside a frame and {@link SocketTimeoutException} when a clock runs out.
     */
    public Frame next(long idleMillis, long frameMillis) throws IOException {
        return next(System.nanoTime() + idleMillis * 1_000_000L, frameMillis, Long.MAX_VALUE);
    }

    /** The next frame, which must be complete within {@code millis} in all (an answer awaited). */
    public Frame nextWithin(long millis) throws IOException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        return next(deadline, millis, deadline);
    }

    private Frame next(long idleDeadline, long frameMillis, long frameDeadlineCap) throws IOException {
        int outside = 0;
        if (!pendingStart) {
            while (true) {
                int b = read(idleDeadline);
                if (b < 0) {
                    return null;
                }
                if (b == START) {
                    break;
                }
                if (++outside > maxMessageSize) {
                    return new Frame(Kind.NOT_MLLP, new byte[0]);
                }
            }
        }
        pendingStart = false;
        long frameDeadline = System.nanoTime() + frameMillis * 1_000_000L;
        if (frameDeadline - frameDeadlineCap > 0) {
            frameDeadline = frameDeadlineCap;
        }
        byte[] out = new byte[Math.min(4096, maxMessageSize)];
        int n = 0;
        boolean oversized = false;
        while (true) {
            int b = read(frameDeadline);
            if (b < 0) {
                throw new EOFException("connection closed inside a message");
            }
            if (b == END) {
                int next = read(frameDeadline);
                if (next < 0) {
                    throw new EOFException("connection closed inside a message");
                }
                if (next == CR) {
                    return new Frame(oversized ? Kind.OVERSIZED : Kind.MESSAGE, Arrays.copyOf(out, n));
                }
                pendingStart = next == START;
                return new Frame(Kind.BROKEN, Arrays.copyOf(out, n));
            }
            if (b == START) {
                pendingStart = true;
                return new Frame(Kind.BROKEN, Arrays.copyOf(out, n));
            }
            if (n == out.length) {
                if (n >= maxMessageSize) {
                    oversized = true; // keep the head (its MSH names the message for the AR), drop the rest
                    continue;
                }
                out = Arrays.copyOf(out, (int) Math.min(maxMessageSize, 2L * n));
            }
            out[n++] = (byte) b;
        }
    }

    private int read(long deadlineNanos) throws IOException {
        if (pos < limit) {
            return buffer[pos++] & 0xFF;
        }
        long left = (deadlineNanos - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
            throw new SocketTimeoutException("timed out");
        }
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
        int got = in.read(buffer, 0, buffer.length);
        if (got < 0) {
            return -1;
        }
        pos = 0;
        limit = got;
        return buffer[pos++] & 0xFF;
    }

    /**
     * Writes one framed message and flushes; if the peer has not taken it within {@code timeoutMillis}
     * (it stopped reading) the connection is reset and the write fails with a {@link SocketTimeoutException}.
     * A socket's read timeout does not bound a blocked write: without this a peer that never reads its
     * answers would hold the connection and its thread forever.
     */
    public static void write(Socket socket, OutputStream out, byte[] message, long timeoutMillis) throws IOException {
        WRITING.put(socket, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
        try {
            write(out, message);
        } catch (IOException e) {
            if (WRITING.remove(socket) != null) {
                throw e;
            }
            throw writeTimedOut(timeoutMillis, e);
        }
        if (WRITING.remove(socket) == null) { // the watch reset it as the write ended: the connection is gone
            throw writeTimedOut(timeoutMillis, null);
        }
    }

    private static SocketTimeoutException writeTimedOut(long timeoutMillis, IOException cause) {
        SocketTimeoutException e = new SocketTimeoutException("peer took no bytes for " + timeoutMillis + " ms");
        e.initCause(cause);
        return e;
    }

    /** A hard close (RST): it never waits for the blocked writer, not even on a TLS socket's close_notify. */
    private static void reset(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // closed already, or a close that lingers: it is closed below either way
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // the blocked write fails either way
        }
    }

    private static ScheduledExecutorService writeWatch() {
        ScheduledExecutorService watch = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mllp-write-timeout");
            t.setDaemon(true);
            return t;
        });
        watch.scheduleWithFixedDelay(Mllp::resetOverdue, SWEEP_MILLIS, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
        return watch;
    }

    /** Resets each socket whose write is past its time; the writer learns of it from its own remove. */
    private static void resetOverdue() {
        long now = System.nanoTime();
        WRITING.forEach((socket, deadline) -> {
            if (now - deadline > 0 && WRITING.remove(socket, deadline)) {
                try {
                    reset(socket);
                } catch (RuntimeException e) {
                    // a socket that cannot even be closed: the sweeps of the others must go on
                }
            }
        });
    }

    private static void write(OutputStream out, byte[] message) throws IOException {
        byte[] framed = new byte[message.length + 3];
        framed[0] = START;
        System.arraycopy(message, 0, framed, 1, message.length);
        framed[framed.length - 2] = END;
        framed[framed.length - 1] = CR;
        out.write(framed);
        out.flush();
    }
}
