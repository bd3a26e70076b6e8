package dev.harmony.dicom.internal.codec;

import dev.harmony.dicom.DicomFormatException;
import dev.harmony.dicom.Tags;
import dev.harmony.dicom.TransferSyntax;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * The first top-level elements of a streamed data set, up to and including the Series Instance UID,
 * with the raw bytes that carried them. A consumer writes {@link #raw()} and then the rest of the
 * stream, so the data set passes through unchanged while its identifying UIDs are known before the
 * (possibly huge) pixel data arrives. Only the prefix is held in memory, never more than a limit.
 */
public final class DatasetPrefix {
    private final byte[] raw;
    private final String sopClassUid;
    private final String sopInstanceUid;
    private final String studyInstanceUid;
    private final String seriesInstanceUid;

    private final Map<Integer, byte[]> values;

    private DatasetPrefix(byte[] raw, String sopClassUid, String sopInstanceUid, String study, String series,
            Map<Integer, byte[]> values) {
        this.raw = raw;
        this.values = values;
        this.sopClassUid = sopClassUid;
        this.sopInstanceUid = sopInstanceUid;
        this.studyInstanceUid = study;
        this.seriesInstanceUid = series;
    }

    /** Thrown when the elements before the pixel data are larger than the configured limit. */
    public static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        TooLargeException(int limit) {
            super("the data set header (elements up to Series Instance UID) exceeds " + limit + " bytes");
        }
    }

    /**
     * Reads from {@code in} until the first top-level element after Series Instance UID (or the end).
     *
     * @param limit the most raw bytes to hold
     * @throws TooLargeException past the limit; {@link DicomFormatException} if the encoding is broken
     */
    public static DatasetPrefix read(InputStream in, TransferSyntax ts, int limit) throws IOException {
        return read(in, ts, limit, Tags.SERIES_INSTANCE_UID, Set.of());
    }

    /**
     * Like {@link #read(InputStream, TransferSyntax, int)}, but reads on until the first top-level
     * element after {@code lastTag}, keeping the raw values of the top-level elements in {@code keep}
     * (values of at most 1 KiB; longer ones are skipped).
     */
    public static DatasetPrefix read(InputStream in, TransferSyntax ts, int limit, int lastTag, Set<Integer> keep)
            throws IOException {
        Map<Integer, byte[]> kept = new HashMap<>();
        Capture capture = new Capture(in, limit);
        Inflater inflater = ts.deflated() ? new Inflater(true) : null;
        try {
            InputStream parsed = inflater == null ? capture : new InflaterInputStream(capture, inflater, 512);
            ElementReader reader = ElementReader.forSyntax(parsed, ts);
            String sopClass = null;
            String sopInstance = null;
            String study = null;
            String series = null;
            for (ElementHeader h = reader.next(); h != null; h = reader.next()) {
                if (Integer.compareUnsigned(h.tag(), lastTag) > 0) {
                    break;
                }
                if (keep.contains(h.tag()) && !h.undefinedLength() && h.length() <= 1024) {
                    byte[] v = reader.readValue(h);
                    kept.put(h.tag(), v);
                    String text = new String(v, StandardCharsets.ISO_8859_1).trim();
                    switch (h.tag()) {
                        case Tags.SOP_CLASS_UID -> sopClass = text;
                        case Tags.SOP_INSTANCE_UID -> sopInstance = text;
                        case Tags.STUDY_INSTANCE_UID -> study = text;
                        case Tags.SERIES_INSTANCE_UID -> series = text;
                        default -> {
                        }
                    }
                    continue;
                }
                switch (h.tag()) {
                    case Tags.SOP_CLASS_UID -> sopClass = reader.readString(h, 66);
                    case Tags.SOP_INSTANCE_UID -> sopInstance = reader.readString(h, 66);
                    case Tags.STUDY_INSTANCE_UID -> study = reader.readString(h, 66);
                    case Tags.SERIES_INSTANCE_UID -> series = reader.readString(h, 66);
                    default -> reader.skipValue(h);
                }
            }
            return new DatasetPrefix(capture.bytes(), sopClass, sopInstance, study, series, kept);
        } finally {
            if (inflater != null) {
                inflater.end();
            }
        }
    }

    /** The raw values of the kept elements (see the five-argument {@link #read}), by tag. */
    public Map<Integer, byte[]> values() {
        return java.util.Collections.unmodifiableMap(values);
    }

    /** The raw bytes consumed from the stream, to be written before the rest of it. */
    public byte[] raw() {
        return raw;
    }

    public Optional<String> sopClassUid() {
        return Optional.ofNullable(sopClassUid);
    }

    public Optional<String> sopInstanceUid() {
        return Optional.ofNullable(sopInstanceUid);
    }

    public Optional<String> studyInstanceUid() {
        return Optional.ofNullable(studyInstanceUid);
    }

    public Optional<String> seriesInstanceUid() {
        return Optional.ofNullable(seriesInstanceUid);
    }

    /**
     * Records every byte taken from the stream, up to a limit. It reads the source in chunks (the
     * element parser asks for a few bytes at a time); bytes read ahead simply belong to the prefix.
     */
    private static final class Capture extends InputStream {
        private final InputStream in;
        private final int limit;
        private final ByteArrayOutputStream seen = new ByteArrayOutputStream(8192);
        private final byte[] chunk = new byte[8192];
        private int pos;
        private int end;

        Capture(InputStream in, int limit) {
            this.in = in;
            this.limit = limit;
        }

        @Override
        public int read() throws IOException {
            if (pos == end && !fill()) {
                return -1;
            }
            return chunk[pos++] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (pos == end && !fill()) {
                return -1;
            }
            int n = Math.min(len, end - pos);
            System.arraycopy(chunk, pos, b, off, n);
            pos += n;
            return n;
        }

        private boolean fill() throws IOException {
            int room = limit - seen.size();
            if (room <= 0) {
                throw new TooLargeException(limit);
            }
            int n = in.read(chunk, 0, Math.min(chunk.length, room));
            if (n <= 0) {
                return false;
            }
            seen.write(chunk, 0, n);
            pos = 0;
            end = n;
            return true;
        }

        byte[] bytes() {
            return seen.toByteArray();
        }
    }
}
