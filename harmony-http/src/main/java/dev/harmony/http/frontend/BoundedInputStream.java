package dev.harmony.http.frontend;

import dev.harmony.pipeline.Rejection;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A request body that fails with a payload-too-large rejection once more than {@code limit} bytes
 * arrive, so chunked uploads without a Content-Length are bounded too while still streaming. A read
 * that fails underneath (chunk framing Undertow cannot follow, a body cut short) fails as a
 * malformed-request rejection and is remembered, so the ingress answers 400 and closes the connection.
 */
final class BoundedInputStream extends FilterInputStream {
    private final long limit;
    private long read;
    private volatile boolean failed;

    BoundedInputStream(InputStream in, long limit) {
        super(in);
        this.limit = limit;
    }

    /** Whether reading the body failed underneath: then where the next request starts is unknown. */
    boolean failed() {
        return failed;
    }

    private RuntimeException broken() {
        failed = true;
        return Rejection.malformed("the request body could not be read: its framing is invalid or the connection broke")
                .toException();
    }

    @Override
    public int read() throws IOException {
        int b;
        try {
            b = super.read();
        } catch (IOException e) {
            throw broken();
        }
        if (b >= 0) {
            count(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n;
        try {
            n = super.read(buf, off, len);
        } catch (IOException e) {
            throw broken();
        }
        if (n > 0) {
            count(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped;
        try {
            skipped = super.skip(n);
        } catch (IOException e) {
            throw broken();
        }
        count(skipped);
        return skipped;
    }

    /**
     * Leaves the request stream to the ingress: Undertow ends an exchange whose request stream is closed
     * half-read, and then the rejection could no longer be answered. The ingress drains or drops it.
     */
    @Override
    public void close() {
        // deliberately not closing the underlying stream
    }

    private void count(long n) {
        read += n;
        if (read > limit) {
            throw Rejection.payloadTooLarge("request body exceeds the limit of " + limit + " bytes").toException();
        }
    }
}
