package dev.harmony.dicom.internal.dimse;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A data set on its way from one peer to another that remembers a failure of its own reads, so the
 * copier can tell the source breaking off (the sender went away) from the destination failing.
 */
public final class SourceWatch extends FilterInputStream {
    private IOException failure;

    public SourceWatch(InputStream in) {
        super(in);
    }

    /** What a read of the source raised, or null while none failed. */
    public IOException failure() {
        return failure;
    }

    @Override
    public int read() throws IOException {
        try {
            return super.read();
        } catch (IOException e) {
            failure = e;
            throw e;
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        try {
            return super.read(b, off, len);
        } catch (IOException e) {
            failure = e;
            throw e;
        }
    }
}
