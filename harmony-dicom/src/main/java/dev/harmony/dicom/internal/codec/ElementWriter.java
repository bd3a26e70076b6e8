package dev.harmony.dicom.internal.codec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Builds short little endian element sequences in memory: the file meta group (explicit VR) and
 * DIMSE command sets (implicit VR). Values are padded to even length as PS3.5 requires.
 */
public final class ElementWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    private final boolean explicitVr;

    private ElementWriter(boolean explicitVr) {
        this.explicitVr = explicitVr;
    }

    public static ElementWriter explicitLittleEndian() {
        return new ElementWriter(true);
    }

    public static ElementWriter implicitLittleEndian() {
        return new ElementWriter(false);
    }

    /** A UID value, padded with a NUL byte. */
    public ElementWriter uid(int tag, String uid) {
        return bytes(tag, "UI", pad(uid, (byte) 0));
    }

    /** A text value of a space-padded VR (AE, SH, LO, CS...). */
    public ElementWriter text(int tag, String vr, String value) {
        return bytes(tag, vr, pad(value, (byte) ' '));
    }

    public ElementWriter us(int tag, int value) {
        return bytes(tag, "US", new byte[] {(byte) value, (byte) (value >>> 8)});
    }

    public ElementWriter ul(int tag, long value) {
        return bytes(tag, "UL", le32(value));
    }

    /** Any value; {@code vr} is ignored in implicit VR. */
    public ElementWriter bytes(int tag, String vr, byte[] value) {
        write16(tag >>> 16);
        write16(tag & 0xFFFF);
        if (explicitVr) {
            out.write(vr.charAt(0));
            out.write(vr.charAt(1));
            if (vr.equals("OB") || vr.equals("OW") || vr.equals("UN") || vr.equals("SQ") || vr.equals("UT")) {
                write16(0);
                out.writeBytes(le32(value.length));
            } else {
                write16(value.length);
            }
        } else {
            out.writeBytes(le32(value.length));
        }
        out.writeBytes(value);
        return this;
    }

    /**
     * Only the header of an element whose {@code length} value bytes the caller streams afterwards
     * (e.g. pixel data). In explicit VR, {@code vr} must be one with a 32-bit length (OB, OW, UN...).
     */
    public ElementWriter header(int tag, String vr, long length) {
        write16(tag >>> 16);
        write16(tag & 0xFFFF);
        if (explicitVr) {
            out.write(vr.charAt(0));
            out.write(vr.charAt(1));
            write16(0);
        }
        out.writeBytes(le32(length));
        return this;
    }

    public int size() {
        return out.size();
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }

    private void write16(int v) {
        out.write(v & 0xFF);
        out.write((v >>> 8) & 0xFF);
    }

    /** Little endian 32-bit encoding. */
    public static byte[] le32(long v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    private static byte[] pad(String value, byte padding) {
        byte[] raw = value.getBytes(StandardCharsets.US_ASCII);
        if (raw.length % 2 == 0) {
            return raw;
        }
        byte[] padded = java.util.Arrays.copyOf(raw, raw.length + 1);
        padded[raw.length] = padding;
        return padded;
    }
}
