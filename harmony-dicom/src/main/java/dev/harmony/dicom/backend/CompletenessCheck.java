package dev.harmony.dicom.backend;

import dev.harmony.dicom.TransferSyntax;
import dev.harmony.dicom.internal.codec.ElementHeader;
import dev.harmony.dicom.internal.codec.ElementReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * Walks the element structure of a data set written to a file, so that one whose last fragment
 * arrived but whose content is cut short (a value longer than what follows, an unclosed sequence) is
 * refused instead of stored. Only headers are read; values are skipped by moving the file position,
 * so a large pixel data element costs one read. The data set was just written: it is in the page cache.
 */
final class CompletenessCheck {
    private CompletenessCheck() {
    }

    /**
     * @throws dev.harmony.dicom.DicomFormatException if the data set from {@code offset} is
     *     truncated or broken
     */
    static void requireComplete(FileChannel file, long offset, TransferSyntax ts) throws IOException {
        InputStream in = new PositionalInput(file, offset);
        Inflater inflater = ts.deflated() ? new Inflater(true) : null;
        try {
            ElementReader reader = ElementReader.forSyntax(inflater == null ? in
                    : new InflaterInputStream(in, inflater, 8192), ts);
            for (ElementHeader h = reader.next(); h != null; h = reader.next()) {
                reader.skipValue(h);
            }
        } finally {
            if (inflater != null) {
                inflater.end();
            }
        }
    }

    /** Reads a file channel from a position without moving the channel's own position; skips seek. */
    private static final class PositionalInput extends InputStream {
        private final FileChannel file;
        private final ByteBuffer buf = ByteBuffer.allocate(8192);
        private long next; // file position of the byte after the buffer's content

        PositionalInput(FileChannel file, long offset) {
            this.file = file;
            this.next = offset;
            buf.flip();
        }

        @Override
        public int read() throws IOException {
            if (!buf.hasRemaining() && !fill()) {
                return -1;
            }
            return buf.get() & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!buf.hasRemaining() && !fill()) {
                return -1;
            }
            int n = Math.min(len, buf.remaining());
            buf.get(b, off, n);
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            if (n <= 0) {
                return 0;
            }
            if (n <= buf.remaining()) {
                buf.position(buf.position() + (int) n);
                return n;
            }
            long fromBuffer = buf.remaining();
            long beyond = Math.min(n - fromBuffer, Math.max(0, file.size() - next));
            buf.position(buf.limit());
            next += beyond;
            return fromBuffer + beyond;
        }

        private boolean fill() throws IOException {
            buf.clear();
            int n = file.read(buf, next);
            buf.flip();
            if (n <= 0) {
                return false;
            }
            next += n;
            return true;
        }
    }
}
