package dev.harmony.dicom.internal.codec;

import dev.harmony.dicom.DicomFormatException;
import dev.harmony.dicom.Tags;
import dev.harmony.dicom.TransferSyntax;
import dev.harmony.dicom.Uids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.Test;

class DatasetPrefixTest {
    private static final String STUDY = "1.2.3.4";
    private static final String SERIES = "1.2.3.4.5";
    private static final String INSTANCE = "1.2.3.4.5.6";

    /** Explicit VR LE with an undefined-length sequence, an undefined-length UN element and pixel data. */
    private static byte[] explicitDataset() {
        ElementWriter items = ElementWriter.explicitLittleEndian().uid(0x0008_1150, Uids.CT_IMAGE_STORAGE);
        byte[] item = items.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ElementWriter.explicitLittleEndian().uid(Tags.SOP_CLASS_UID, Uids.CT_IMAGE_STORAGE)
                .uid(Tags.SOP_INSTANCE_UID, INSTANCE).header(0x0008_1140, "SQ", 0xFFFF_FFFFL).toByteArray());
        out.writeBytes(itemTag(0xE000, 0xFFFF_FFFFL));
        out.writeBytes(item);
        out.writeBytes(itemTag(0xE00D, 0));
        out.writeBytes(itemTag(0xE0DD, 0));
        // a private UN element of undefined length: its content is implicit VR LE
        out.writeBytes(ElementWriter.explicitLittleEndian().header(0x0009_1010, "UN", 0xFFFF_FFFFL).toByteArray());
        out.writeBytes(itemTag(0xE000, 0xFFFF_FFFFL));
        out.writeBytes(ElementWriter.implicitLittleEndian().uid(0x0009_1011, "1.2").toByteArray());
        out.writeBytes(itemTag(0xE00D, 0));
        out.writeBytes(itemTag(0xE0DD, 0));
        out.writeBytes(ElementWriter.explicitLittleEndian().uid(Tags.STUDY_INSTANCE_UID, STUDY)
                .uid(Tags.SERIES_INSTANCE_UID, SERIES).bytes(Tags.PIXEL_DATA, "OW", noise(20000)).toByteArray());
        return out.toByteArray();
    }

    /** Incompressible pixels, so even the deflated form is longer than what the prefix reads. */
    private static byte[] noise(int n) {
        byte[] b = new byte[n];
        new java.util.Random(1).nextBytes(b);
        return b;
    }

    private static byte[] itemTag(int element, long length) {
        byte[] b = new byte[8];
        b[0] = (byte) 0xFE;
        b[1] = (byte) 0xFF;
        b[2] = (byte) element;
        b[3] = (byte) (element >>> 8);
        System.arraycopy(ElementWriter.le32(length), 0, b, 4, 4);
        return b;
    }

    private static void assertPassesThrough(byte[] data, TransferSyntax ts) throws IOException {
        InputStream in = new ByteArrayInputStream(data);
        DatasetPrefix prefix = DatasetPrefix.read(in, ts, 1 << 20);
        assertThat(prefix.studyInstanceUid()).contains(STUDY);
        assertThat(prefix.seriesInstanceUid()).contains(SERIES);
        assertThat(prefix.sopInstanceUid()).contains(INSTANCE);
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        whole.writeBytes(prefix.raw());
        in.transferTo(whole);
        assertThat(whole.toByteArray()).isEqualTo(data);
        assertThat(prefix.raw().length).as("only a bounded prefix is held").isLessThan(data.length).isLessThan(20000);
    }

    @Test
    void explicitLittleEndianWithUndefinedLengths() throws IOException {
        assertPassesThrough(explicitDataset(), TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
    }

    @Test
    void implicitLittleEndian() throws IOException {
        byte[] data = ElementWriter.implicitLittleEndian().uid(Tags.SOP_INSTANCE_UID, INSTANCE)
                .uid(Tags.STUDY_INSTANCE_UID, STUDY).uid(Tags.SERIES_INSTANCE_UID, SERIES)
                .bytes(Tags.PIXEL_DATA, "OW", noise(50000)).toByteArray();
        assertPassesThrough(data, TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN);
    }

    @Test
    void deflatedExplicitLittleEndianKeepsTheCompressedBytes() throws IOException {
        ByteArrayOutputStream deflated = new ByteArrayOutputStream();
        try (DeflaterOutputStream d = new DeflaterOutputStream(deflated, new Deflater(6, true))) {
            d.write(explicitDataset());
        }
        assertPassesThrough(deflated.toByteArray(), TransferSyntax.DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN);
    }

    @Test
    void explicitBigEndian() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String[] e : new String[][] {{"0008", "0018", INSTANCE}, {"0020", "000D", STUDY}, {"0020", "000E", SERIES}}) {
            byte[] v = (e[2].length() % 2 == 0 ? e[2] : e[2] + "\0").getBytes();
            int g = Integer.parseInt(e[0], 16);
            int el = Integer.parseInt(e[1], 16);
            out.write(new byte[] {(byte) (g >>> 8), (byte) g, (byte) (el >>> 8), (byte) el, 'U', 'I', 0, (byte) v.length});
            out.writeBytes(v);
        }
        out.write(new byte[] {0x7F, (byte) 0xE0, 0, 0x10, 'O', 'W', 0, 0, 0, 0, (byte) 0x75, 0x30});
        out.writeBytes(noise(30000));
        assertPassesThrough(out.toByteArray(), TransferSyntax.EXPLICIT_VR_BIG_ENDIAN);
    }

    @Test
    void headerBeyondTheLimitIsRefused() {
        byte[] data = ElementWriter.explicitLittleEndian().bytes(0x0009_0010, "OB", new byte[4096])
                .uid(Tags.STUDY_INSTANCE_UID, STUDY).toByteArray();
        assertThatThrownBy(() -> DatasetPrefix.read(new ByteArrayInputStream(data),
                TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, 1024)).isInstanceOf(DatasetPrefix.TooLargeException.class);
    }

    @Test
    void brokenEncodingIsAFormatError() {
        byte[] data = {0x08, 0x00, 0x18, 0x00, 'u', 'i', 2, 0, '1', 0};
        assertThatThrownBy(() -> DatasetPrefix.read(new ByteArrayInputStream(data),
                TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN, 1024)).isInstanceOf(DicomFormatException.class);
    }

    @Test
    void uidSyntax() {
        assertThat(Uids.isValid("1.2.840.10008.1.2.1")).isTrue();
        assertThat(Uids.isValid(Uids.random())).isTrue();
        assertThat(Uids.isValid("1.02.3")).isTrue(); // legacy leading zero: accepted
        assertThat(Uids.isStrict("1.02.3")).isFalse();
        assertThat(Uids.isStrict("1.2.3")).isTrue();
        assertThat(Uids.isValid("1.2" + (char) 0 + "3")).isFalse();
        assertThat(Uids.isValid("1/2")).isFalse();
        assertThat(Uids.isValid("1..2")).isFalse();
        assertThat(Uids.isValid("../etc/passwd")).isFalse();
        assertThat(Uids.isValid("1.2.3.")).isFalse();
        assertThat(Uids.isValid("1".repeat(65))).isFalse();
        assertThat(Uids.isValid("")).isFalse();
    }
}
