package dev.harmony.http.backend;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A deterministic byte stream of any length (byte i is {@code i * 31 % 251}) that can pause after a
 * first part until a latch opens, to prove a body is streamed rather than buffered.
 */
final class Pattern extends InputStream {
    private final long size;
    private final long pauseAfter;
    private final CountDownLatch resume;
    private long position;

    Pattern(long size, long pauseAfter, CountDownLatch resume) {
        this.size = size;
        this.pauseAfter = pauseAfter;
        this.resume = resume;
    }

    static int at(long i) {
        return (int) ((i * 31) % 251);
    }

    static byte[] bytes(long from, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) at(from + i);
        }
        return b;
    }

    static long sum(long size) {
        long s = 0;
        for (long i = 0; i < size; i++) {
            s += at(i);
        }
        return s;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (position >= size) {
            return -1;
        }
        if (resume != null && position >= pauseAfter) {
            try {
                if (!resume.await(60, TimeUnit.SECONDS)) {
                    throw new IOException("the far side never received the first part: the body was not streamed");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        long limit = resume != null && position < pauseAfter ? pauseAfter : size;
        int n = (int) Math.min(len, limit - position);
        for (int i = 0; i < n; i++) {
            b[off + i] = (byte) at(position + i);
        }
        position += n;
        return n;
    }
}
