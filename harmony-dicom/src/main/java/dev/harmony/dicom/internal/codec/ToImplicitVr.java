package dev.harmony.dicom.internal.codec;

import dev.harmony.dicom.DicomFormatException;
import dev.harmony.dicom.Tags;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Re-encodes an explicit VR little endian data set as implicit VR little endian (PS3.5 7.1.3) while it
 * streams, for a peer that accepted only the implicit syntax, which every SCP must accept. Values are
 * copied as they are (both are little endian); only the element headers change. Because a header can
 * shrink, sequences and items are written with undefined length and group lengths are dropped (their
 * values would no longer be true; PS3.5 7.2 makes them optional). Encapsulated pixel data cannot occur
 * in a native syntax and is refused, as is an undefined-length UN element.
 */
public final class ToImplicitVr {
    private static final byte[] UNDEFINED = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};
    private static final long NO_END = -1;

    private final ElementReader in;
    private final OutputStream out;
    private final byte[] header = new byte[8];

    private ToImplicitVr(InputStream explicitLittleEndian, OutputStream out) {
        this.in = new ElementReader(explicitLittleEndian, true, false);
        this.out = out;
    }

    /** Reads the whole explicit VR little endian data set from {@code in} and writes it implicit to {@code out}. */
    public static void transcode(InputStream in, OutputStream out) throws IOException {
        new ToImplicitVr(in, out).elements(NO_END, 0);
    }

    /**
     * Copies elements until the reader reaches {@code end} (a defined-length item), an item delimiter
     * (an undefined-length item, {@code end == NO_END} and {@code depth > 0}) or the end of the stream
     * (the data set itself).
     */
    private void elements(long end, int depth) throws IOException {
        while (end == NO_END || in.position() < end) {
            ElementHeader h = in.next();
            if (h == null) {
                if (depth == 0 && end == NO_END) {
                    return;
                }
                throw new DicomFormatException("truncated: data set ends inside a sequence item");
            }
            if (h.tag() == Tags.ITEM_DELIMITATION) {
                if (depth == 0 || end != NO_END) {
                    throw new DicomFormatException("item delimiter outside an undefined-length item");
                }
                return;
            }
            if ((h.tag() >>> 16) == 0xFFFE) {
                throw new DicomFormatException("unexpected " + Tags.toString(h.tag()) + " among data elements");
            }
            if ((h.tag() & 0xFFFF) == 0 && h.length() == 4) {
                in.skipValue(h); // a group length: no longer true once headers change size
                continue;
            }
            if ("SQ".equals(h.vr())) {
                sequence(h, depth);
            } else if (h.undefinedLength()) {
                throw new DicomFormatException(Tags.toString(h.tag()) + " (" + h.vr()
                        + ") has undefined length: not re-encodable to implicit VR");
            } else {
                writeHeader(h.tag(), h.length());
                in.copyValue(h, out);
            }
            if (end != NO_END && in.position() > end) {
                throw new DicomFormatException("an element runs past the end of its item");
            }
        }
    }

    private void sequence(ElementHeader sq, int depth) throws IOException {
        ElementReader.checkDepth(depth + 1, sq.tag());
        writeHeader(sq.tag(), -1);
        long end = sq.undefinedLength() ? NO_END : in.position() + sq.length();
        while (end == NO_END || in.position() < end) {
            ElementHeader item = in.next();
            if (item == null) {
                throw new DicomFormatException("truncated: data set ends inside sequence " + Tags.toString(sq.tag()));
            }
            if (item.tag() == Tags.SEQUENCE_DELIMITATION) {
                if (end != NO_END) {
                    throw new DicomFormatException("sequence delimiter in defined-length " + Tags.toString(sq.tag()));
                }
                break;
            }
            if (item.tag() != Tags.ITEM) {
                throw new DicomFormatException("expected an item in " + Tags.toString(sq.tag()) + ", found "
                        + Tags.toString(item.tag()));
            }
            writeHeader(Tags.ITEM, -1);
            elements(item.undefinedLength() ? NO_END : in.position() + item.length(), depth + 1);
            writeHeader(Tags.ITEM_DELIMITATION, 0);
        }
        if (end != NO_END && in.position() != end) {
            throw new DicomFormatException("items run past the end of " + Tags.toString(sq.tag()));
        }
        writeHeader(Tags.SEQUENCE_DELIMITATION, 0);
    }

    /** Tag and 32-bit length, little endian; {@code length < 0} writes undefined length. */
    private void writeHeader(int tag, long length) throws IOException {
        header[0] = (byte) (tag >>> 16);
        header[1] = (byte) (tag >>> 24);
        header[2] = (byte) tag;
        header[3] = (byte) (tag >>> 8);
        if (length < 0) {
            System.arraycopy(UNDEFINED, 0, header, 4, 4);
        } else {
            header[4] = (byte) length;
            header[5] = (byte) (length >>> 8);
            header[6] = (byte) (length >>> 16);
            header[7] = (byte) (length >>> 24);
        }
        out.write(header);
    }
}
