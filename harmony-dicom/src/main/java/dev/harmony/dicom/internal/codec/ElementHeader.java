package dev.harmony.dicom.internal.codec;

/**
 * The header of one data element.
 *
 * @param tag {@code (group << 16) | element}
 * @param vr the two-letter VR, or null when the transfer syntax is implicit or for item tags
 * @param length the value length in bytes, or {@link #UNDEFINED}
 */
public record ElementHeader(int tag, String vr, long length) {
    /** The undefined length (0xFFFFFFFF), used by sequences, items and encapsulated pixel data. */
    public static final long UNDEFINED = -1;

    public boolean undefinedLength() {
        return length == UNDEFINED;
    }
}
