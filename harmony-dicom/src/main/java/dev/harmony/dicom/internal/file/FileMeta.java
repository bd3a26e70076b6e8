package dev.harmony.dicom.internal.file;

import dev.harmony.dicom.DicomFormatException;
import dev.harmony.dicom.Tags;
import dev.harmony.dicom.Uids;
import dev.harmony.dicom.internal.codec.ElementHeader;
import dev.harmony.dicom.internal.codec.ElementReader;
import dev.harmony.dicom.internal.codec.ElementWriter;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * The file meta information of a Part-10 file (PS3.10 section 7.1).
 *
 * @param sopClassUid media storage SOP class UID
 * @param sopInstanceUid media storage SOP instance UID
 * @param transferSyntaxUid how the data set after the meta group is encoded
 * @param sourceAeTitle the AE that sent the object, or null
 */
public record FileMeta(String sopClassUid, String sopInstanceUid, String transferSyntaxUid, String sourceAeTitle) {
    private static final byte[] MAGIC = "DICM".getBytes(StandardCharsets.US_ASCII);
    private static final int PREAMBLE = 128;

    public FileMeta {
        Objects.requireNonNull(sopClassUid, "sopClassUid");
        Objects.requireNonNull(sopInstanceUid, "sopInstanceUid");
        Objects.requireNonNull(transferSyntaxUid, "transferSyntaxUid");
    }

    /** Preamble, {@code DICM} and the meta group (explicit VR little endian, with its group length). */
    public byte[] encode() {
        ElementWriter group = ElementWriter.explicitLittleEndian()
                .bytes(Tags.FILE_META_VERSION, "OB", new byte[] {0, 1})
                .uid(Tags.MEDIA_STORAGE_SOP_CLASS_UID, sopClassUid)
                .uid(Tags.MEDIA_STORAGE_SOP_INSTANCE_UID, sopInstanceUid)
                .uid(Tags.TRANSFER_SYNTAX_UID, transferSyntaxUid)
                .uid(Tags.IMPLEMENTATION_CLASS_UID, Uids.IMPLEMENTATION_CLASS)
                .text(Tags.IMPLEMENTATION_VERSION_NAME, "SH", Uids.IMPLEMENTATION_VERSION);
        if (sourceAeTitle != null && !sourceAeTitle.isEmpty()) {
            group.text(Tags.SOURCE_AE_TITLE, "AE", sourceAeTitle);
        }
        byte[] elements = group.toByteArray();
        byte[] length = ElementWriter.explicitLittleEndian().ul(Tags.FILE_META_GROUP_LENGTH, elements.length)
                .toByteArray();
        byte[] out = new byte[PREAMBLE + MAGIC.length + length.length + elements.length];
        System.arraycopy(MAGIC, 0, out, PREAMBLE, MAGIC.length);
        System.arraycopy(length, 0, out, PREAMBLE + MAGIC.length, length.length);
        System.arraycopy(elements, 0, out, PREAMBLE + MAGIC.length + length.length, elements.length);
        return out;
    }

    public void writeTo(OutputStream out) throws IOException {
        out.write(encode());
    }

    /**
     * A Part-10 stream split into its meta information and the data set that follows.
     *
     * @param meta the parsed meta group
     * @param dataset the stream positioned at the first data set byte; the caller closes it
     * @param datasetOffset where the data set starts in the file
     */
    public record Opened(FileMeta meta, InputStream dataset, long datasetOffset) {
    }

    /** Reads preamble and meta group from {@code in}; the returned stream continues with the data set. */
    public static Opened read(InputStream in) throws IOException {
        BufferedInputStream buffered = in instanceof BufferedInputStream b ? b : new BufferedInputStream(in, 65536);
        byte[] head = buffered.readNBytes(PREAMBLE + MAGIC.length);
        if (head.length != PREAMBLE + MAGIC.length
                || !Arrays.equals(Arrays.copyOfRange(head, PREAMBLE, head.length), MAGIC)) {
            throw new DicomFormatException("not a DICOM Part-10 file: no 'DICM' after the 128-byte preamble");
        }
        ElementReader reader = new ElementReader(buffered, true, false);
        String sopClass = null;
        String sopInstance = null;
        String ts = null;
        String source = null;
        while (true) {
            buffered.mark(16);
            long before = reader.position();
            // Peek at the group first: the data set after the meta group may be implicit VR or big endian.
            byte[] group = buffered.readNBytes(2);
            buffered.reset();
            ElementHeader h = group.length == 2 && group[0] == 2 && group[1] == 0 ? reader.next() : null;
            if (h == null) {
                long offset = PREAMBLE + MAGIC.length + before;
                if (sopClass == null || sopInstance == null || ts == null) {
                    throw new DicomFormatException("file meta lacks SOP class, SOP instance or transfer syntax UID");
                }
                return new Opened(new FileMeta(sopClass, sopInstance, ts, source), buffered, offset);
            }
            switch (h.tag()) {
                case Tags.MEDIA_STORAGE_SOP_CLASS_UID -> sopClass = reader.readString(h, 66);
                case Tags.MEDIA_STORAGE_SOP_INSTANCE_UID -> sopInstance = reader.readString(h, 66);
                case Tags.TRANSFER_SYNTAX_UID -> ts = reader.readString(h, 66);
                case Tags.SOURCE_AE_TITLE -> source = reader.readString(h, 16);
                default -> reader.skipValue(h);
            }
        }
    }

    public Optional<String> source() {
        return Optional.ofNullable(sourceAeTitle);
    }
}
