package dev.harmony.http.frontend;

import dev.harmony.pipeline.Rejection;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A request body that fails with a payload-too-large rejection once more than {@code limit} bytes
 * arrive, so chunked uploads without a Content-Length are bounded too while still streaming.
 */
final class BoundedInputStream extends FilterInputStream {
    private final long limit;
    private long read;

    BoundedInputStream(InputStream in, long limit) {
        super(in);
        this.limit = limit;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            count(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        if (n > 0) {
            count(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(n);
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
