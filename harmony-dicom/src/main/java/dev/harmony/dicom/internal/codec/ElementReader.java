package dev.harmony.dicom.internal.codec;

import dev.harmony.dicom.DicomFormatException;
import dev.harmony.dicom.Tags;
import dev.harmony.dicom.TransferSyntax;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Reads data elements one header at a time from a stream and skips values without buffering them, so
 * a data set of any size can be walked in constant memory. Sequences and items of undefined length
 * and encapsulated pixel data are skipped by walking their item structure.
 */
public final class ElementReader {
    /** VRs whose explicit encoding has two reserved bytes and a 32-bit length (PS3.5 table 7.1-1). */
    private static final Set<String> LONG_VRS = Set.of("OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN",
            "UR", "UT", "UV");

    /**
     * Sequences nested deeper than this are refused ({@link DicomFormatException}): real objects nest a
     * few levels (an SR content tree a few dozen), and each level is a stack frame of the walk, so a
     * crafted data set of a million empty nested sequences must not reach the end of the stack.
     */
    public static final int MAX_DEPTH = 256;

    private final InputStream in;
    private final boolean explicitVr;
    private final boolean bigEndian;
    private final byte[] scratch = new byte[8192];
    private long position;

    public ElementReader(InputStream in, boolean explicitVr, boolean bigEndian) {
        this.in = in;
        this.explicitVr = explicitVr;
        this.bigEndian = bigEndian;
    }

    /** A reader for data sets encoded in {@code ts} (deflate must already be undone by the caller). */
    public static ElementReader forSyntax(InputStream in, TransferSyntax ts) {
        return new ElementReader(in, ts.explicitVr(), ts.bigEndian());
    }

    /** Bytes consumed so far. */
    public long position() {
        return position;
    }

    /** The next element header, or null at a clean end of stream (between elements). */
    public ElementHeader next() throws IOException {
        return next(explicitVr);
    }

    private ElementHeader next(boolean explicit) throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        position++;
        byte[] b = readFully(3);
        int group = bigEndian ? (first << 8) | (b[0] & 0xFF) : (first & 0xFF) | ((b[0] & 0xFF) << 8);
        int element = u16(b, 1);
        int tag = (group << 16) | element;
        if (group == 0xFFFE) {
            return new ElementHeader(tag, null, length32(readFully(4), 0));
        }
        if (!explicit) {
            return new ElementHeader(tag, null, length32(readFully(4), 0));
        }
        byte[] v = readFully(4);
        if (v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' || v[1] > 'Z') {
            throw new DicomFormatException("invalid VR bytes at element " + Tags.toString(tag) + " (offset "
                    + (position - 8) + ")");
        }
        String vr = new String(v, 0, 2, StandardCharsets.US_ASCII);
        if (LONG_VRS.contains(vr)) {
            return new ElementHeader(tag, vr, length32(readFully(4), 0));
        }
        return new ElementHeader(tag, vr, u16(v, 2));
    }

    /** Reads a short value (at most {@code max} bytes) as text without trailing padding. */
    public String readString(ElementHeader h, int max) throws IOException {
        if (h.undefinedLength() || h.length() > max) {
            throw new DicomFormatException("value of " + Tags.toString(h.tag()) + " is longer than " + max + " bytes");
        }
        byte[] value = readFully((int) h.length());
        int end = value.length;
        while (end > 0 && (value[end - 1] == 0 || value[end - 1] == ' ')) {
            end--;
        }
        int start = 0;
        while (start < end && value[start] == ' ') {
            start++;
        }
        return new String(value, start, end - start, StandardCharsets.US_ASCII);
    }

    /** Reads a defined-length value as raw bytes (the caller bounds its length). */
    public byte[] readValue(ElementHeader h) throws IOException {
        if (h.undefinedLength()) {
            throw new DicomFormatException("value of " + Tags.toString(h.tag()) + " has undefined length");
        }
        return readFully((int) h.length());
    }

    /** Copies the defined-length value of {@code h} to {@code out} as it is read, in constant memory. */
    public void copyValue(ElementHeader h, java.io.OutputStream out) throws IOException {
        if (h.undefinedLength()) {
            throw new DicomFormatException("value of " + Tags.toString(h.tag()) + " has undefined length");
        }
        long left = h.length();
        while (left > 0) {
            int r = in.read(scratch, 0, (int) Math.min(scratch.length, left));
            if (r < 0) {
                throw new DicomFormatException("truncated: data set ends inside a value (" + left + " bytes missing)");
            }
            out.write(scratch, 0, r);
            left -= r;
            position += r;
        }
    }

    /** Skips the value of {@code h}, walking nested items if its length is undefined. */
    public void skipValue(ElementHeader h) throws IOException {
        skipValue(h, explicitVr, 1);
    }

    private void skipValue(ElementHeader h, boolean explicit, int depth) throws IOException {
        if (!h.undefinedLength()) {
            skip(h.length());
            return;
        }
        // An undefined-length UN element holds implicit VR little endian content (PS3.5 6.2.2).
        skipUndefinedSequence("UN".equals(h.vr()) ? false : explicit, h.tag(), depth);
    }

    private void skipUndefinedSequence(boolean explicit, int owner, int depth) throws IOException {
        checkDepth(depth, owner);
        while (true) {
            ElementHeader item = next(explicit);
            if (item == null) {
                throw new DicomFormatException("truncated: data set ends inside sequence " + Tags.toString(owner));
            }
            if (item.tag() == Tags.SEQUENCE_DELIMITATION) {
                return;
            }
            if (item.tag() != Tags.ITEM) {
                throw new DicomFormatException("expected an item in " + Tags.toString(owner) + ", found "
                        + Tags.toString(item.tag()));
            }
            if (!item.undefinedLength()) {
                skip(item.length());
                continue;
            }
            while (true) {
                ElementHeader e = next(explicit);
                if (e == null) {
                    throw new DicomFormatException("truncated: data set ends inside an item of "
                            + Tags.toString(owner));
                }
                if (e.tag() == Tags.ITEM_DELIMITATION) {
                    break;
                }
                skipValue(e, explicit, depth + 1);
            }
        }
    }

    /** Refuses sequence number {@code depth} (1 = at the top level) if it is nested deeper than {@link #MAX_DEPTH}. */
    public static void checkDepth(int depth, int tag) throws DicomFormatException {
        if (depth > MAX_DEPTH) {
            throw new DicomFormatException("sequence " + Tags.toString(tag) + " nested over " + MAX_DEPTH
                    + " levels deep");
        }
    }

    private void skip(long n) throws IOException {
        long left = n;
        while (left > 0) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                int r = in.read(scratch, 0, (int) Math.min(scratch.length, left));
                if (r < 0) {
                    throw new DicomFormatException("truncated: data set ends inside a value (" + left
                            + " bytes missing)");
                }
                skipped = r;
            }
            left -= skipped;
            position += skipped;
        }
    }

    private byte[] readFully(int n) throws IOException {
        byte[] b = new byte[n];
        int read = in.readNBytes(b, 0, n);
        position += read;
        if (read < n) {
            throw new DicomFormatException("truncated: data set ends inside an element header or value");
        }
        return b;
    }

    private int u16(byte[] b, int off) {
        return bigEndian ? ((b[off] & 0xFF) << 8) | (b[off + 1] & 0xFF) : (b[off] & 0xFF) | ((b[off + 1] & 0xFF) << 8);
    }

    private long length32(byte[] b, int off) {
        long v = bigEndian
                ? ((long) (b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF)
                : (b[off] & 0xFF) | ((b[off + 1] & 0xFF) << 8) | ((b[off + 2] & 0xFF) << 16) | ((long) (b[off + 3] & 0xFF) << 24);
        return v == 0xFFFF_FFFFL ? ElementHeader.UNDEFINED : v;
    }
}
