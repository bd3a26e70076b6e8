package dev.harmony.dicom.internal.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.harmony.dicom.Dcmtk;
import dev.harmony.dicom.DicomFormatException;
import dev.harmony.dicom.TransferSyntax;
import dev.harmony.dicom.internal.file.FileMeta;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Explicit to implicit VR little endian, checked by DCMTK: objects with nested sequences and items of
 * defined and undefined length, group lengths and pixel data, made by dump2dcm, re-encoded by us, and
 * read back by dcmdump with the same elements and values.
 */
public class ToImplicitVrTest {
    /** Two levels of sequences, a UT, US values and native pixel data. */
    static final String RICH = """
            (0008,0016) UI =CTImageStorage
            (0008,0018) UI [1.2.826.0.1.3680043.9.7777.9.1.1]
            (0008,0060) CS [CT]
            (0008,1140) SQ (Sequence with undefined length #=2)
            (fffe,e000) na (Item with undefined length #=2)
            (0008,1150) UI =CTImageStorage
            (0008,1155) UI [1.2.3.4]
            (fffe,e00d) na (ItemDelimitationItem)
            (fffe,e000) na (Item with undefined length #=1)
            (0040,a730) SQ (Sequence with undefined length #=1)
            (fffe,e000) na (Item with undefined length #=1)
            (0040,a160) UT [nested text value]
            (fffe,e00d) na (ItemDelimitationItem)
            (fffe,e0dd) na (SequenceDelimitationItem)
            (fffe,e00d) na (ItemDelimitationItem)
            (fffe,e0dd) na (SequenceDelimitationItem)
            (0010,0010) PN [Doe^John]
            (0010,0020) LO [PID9]
            (0020,000d) UI [1.2.826.0.1.3680043.9.7777.9]
            (0020,000e) UI [1.2.826.0.1.3680043.9.7777.9.1]
            (0028,0010) US 2
            (0028,0011) US 2
            (7fe0,0010) OW 0001\\0002\\0003\\0004
            """;

    @TempDir
    Path tmp;

    /** Writes {@link #RICH} as explicit VR LE with dump2dcm; {@code lengths} are its options (+e/-e, +g). */
    public static Path rich(Path dir, String name, String... lengths) throws Exception {
        Path dump = dir.resolve(name + ".txt");
        Files.writeString(dump, RICH);
        Path out = dir.resolve(name + ".dcm");
        List<String> args = new java.util.ArrayList<>(List.of("+te"));
        args.addAll(List.of(lengths));
        args.add(dump.toString());
        args.add(out.toString());
        Dcmtk.Result r = Dcmtk.run(Duration.ofSeconds(30), "dump2dcm", args.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.output()).isZero();
        return out;
    }

    @Test
    void definedAndUndefinedLengthsGroupLengthsAndPixelDataReadTheSameInDcmdump() throws Exception {
        for (String[] variant : List.of(new String[] {"-e"}, new String[] {"+e"}, new String[] {"+e", "+g"})) {
            Path explicit = rich(tmp, "v" + variant.length + variant[0].charAt(0), variant);
            Path implicit = tmp.resolve(explicit.getFileName() + ".implicit.dcm");
            try (InputStream in = Files.newInputStream(explicit); OutputStream out = Files.newOutputStream(implicit)) {
                FileMeta.Opened opened = FileMeta.read(in);
                new FileMeta(opened.meta().sopClassUid(), opened.meta().sopInstanceUid(),
                        TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN.uid(), null).writeTo(out);
                ToImplicitVr.transcode(opened.dataset(), out);
            }
            String ours = elements(implicit);
            assertThat(dump(implicit)).as("dcmdump reads it as implicit").contains("Little Endian Implicit");
            assertThat(ours).as(String.join(" ", variant)).isEqualTo(elements(explicit))
                    .contains("(0040,a160) UT [nested text value]").contains("(7fe0,0010) OW 0001\\0002\\0003\\0004");
        }
    }

    @Test
    void brokenInputIsRefusedNotPassedOn() {
        // a defined-length item (8 bytes) whose element (10 bytes) runs past its end
        byte[] overrun = bytes(0x08, 0x00, 0x40, 0x11, 'S', 'Q', 0, 0, 18, 0, 0, 0,
                0xFE, 0xFF, 0x00, 0xE0, 8, 0, 0, 0,
                0x08, 0x00, 0x50, 0x11, 'U', 'I', 2, 0, '1', 0);
        assertThatThrownBy(() -> ToImplicitVr.transcode(new ByteArrayInputStream(overrun), new ByteArrayOutputStream()))
                .isInstanceOf(DicomFormatException.class);
        // a value cut short
        byte[] truncated = bytes(0x10, 0x00, 0x10, 0x00, 'P', 'N', 8, 0, 'D', 'o');
        assertThatThrownBy(() -> ToImplicitVr.transcode(new ByteArrayInputStream(truncated), new ByteArrayOutputStream()))
                .isInstanceOf(DicomFormatException.class).hasMessageContaining("truncated");
        // an undefined-length UN (its content is implicit already): cannot be re-encoded header by header
        byte[] un = bytes(0x09, 0x00, 0x10, 0x10, 'U', 'N', 0, 0, 0xFF, 0xFF, 0xFF, 0xFF);
        assertThatThrownBy(() -> ToImplicitVr.transcode(new ByteArrayInputStream(un), new ByteArrayOutputStream()))
                .isInstanceOf(DicomFormatException.class).hasMessageContaining("undefined length");
        // an item delimiter at the top level
        byte[] stray = bytes(0xFE, 0xFF, 0x0D, 0xE0, 0, 0, 0, 0);
        assertThatThrownBy(() -> ToImplicitVr.transcode(new ByteArrayInputStream(stray), new ByteArrayOutputStream()))
                .isInstanceOf(DicomFormatException.class);
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    public static String dump(Path file) throws Exception {
        Dcmtk.Result r = Dcmtk.run(Duration.ofSeconds(30), "dcmdump", file.toString());
        assertThat(r.exitCode()).as(r.output()).isZero();
        return r.output();
    }

    /**
     * The data set's elements as dcmdump prints them, without what an encoding may change: meta header,
     * group lengths (and so the element counts of items), item and sequence delimiters, length comments.
     */
    public static String elements(Path file) throws Exception {
        return Arrays.stream(dump(file).split("\n"))
                .map(String::strip)
                .filter(l -> l.startsWith("(") && !l.startsWith("(0002,") && !l.startsWith("(fffe,e00d)")
                        && !l.startsWith("(fffe,e0dd)") && !l.matches("^\\([0-9a-f]{4},0000\\).*"))
                .map(l -> l.replaceAll("\\((Sequence|Item) with (explicit|undefined) length #=\\d+\\)", "($1)")
                        .replaceAll("\\s+#\\s*(\\d+|u/l),.*$", ""))
                .collect(Collectors.joining("\n"));
    }
}
