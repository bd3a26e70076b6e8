package dev.harmony.examples.bench;

import dev.harmony.dicom.Tags;
import dev.harmony.dicom.TransferSyntax;
import dev.harmony.dicom.Uids;
import dev.harmony.dicom.internal.codec.ElementWriter;
import dev.harmony.dicom.internal.file.FileMeta;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Synthetic CT objects (explicit VR little endian, 512x512 16-bit frames) for benchmarks and big-object
 * tests: written as Part-10 files or streamed as a bare data set of any size without touching disk.
 */
public final class DicomCorpus {
    /** One 512x512 16-bit frame. */
    public static final int FRAME_BYTES = 512 * 512 * 2;
    private static final byte[] PATTERN = new byte[64 * 1024];

    static {
        new Random(42).nextBytes(PATTERN);
    }

    private DicomCorpus() {
    }

    /** The data set elements (in ascending tag order) before the pixel data value, ending with its header. */
    public static byte[] header(String study, String series, String instance, int frames) {
        return ElementWriter.explicitLittleEndian()
                .uid(Tags.SOP_CLASS_UID, Uids.CT_IMAGE_STORAGE)
                .uid(Tags.SOP_INSTANCE_UID, instance)
                .text(0x0008_0060, "CS", "CT")
                .text(0x0010_0010, "PN", "Bench^Patient")
                .text(0x0010_0020, "LO", "BENCH-1")
                .uid(Tags.STUDY_INSTANCE_UID, study)
                .uid(Tags.SERIES_INSTANCE_UID, series)
                .us(0x0028_0002, 1)
                .text(0x0028_0004, "CS", "MONOCHROME2")
                .text(0x0028_0008, "IS", Integer.toString(frames))
                .us(0x0028_0010, 512)
                .us(0x0028_0011, 512)
                .us(0x0028_0100, 16)
                .us(0x0028_0101, 16)
                .us(0x0028_0102, 15)
                .us(0x0028_0103, 0)
                .header(Tags.PIXEL_DATA, "OW", (long) frames * FRAME_BYTES)
                .toByteArray();
    }

    /** The whole data set as a stream: header, then {@code frames} frames of pseudo-random pixels. */
    public static InputStream dataset(String study, String series, String instance, int frames) {
        return new SequenceInputStream(new ByteArrayInputStream(header(study, series, instance, frames)),
                new PatternStream((long) frames * FRAME_BYTES));
    }

    /** Length in bytes of {@link #dataset}. */
    public static long datasetLength(String study, String series, String instance, int frames) {
        return header(study, series, instance, frames).length + (long) frames * FRAME_BYTES;
    }

    /** Writes {@code count} Part-10 files of {@code frames} frames each into {@code dir}, one series. */
    public static List<Path> write(Path dir, int count, int frames) throws IOException {
        Files.createDirectories(dir);
        String study = Uids.random();
        String series = Uids.random();
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String instance = series + "." + (i + 1);
            if (instance.length() > 64) {
                instance = Uids.random();
            }
            Path file = dir.resolve(String.format("ct-%04d.dcm", i + 1));
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20);
                    InputStream in = dataset(study, series, instance, frames)) {
                new FileMeta(Uids.CT_IMAGE_STORAGE, instance, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid(), null)
                        .writeTo(out);
                in.transferTo(out);
            }
            files.add(file);
        }
        return files;
    }

    /** {@code length} bytes of a repeating pseudo-random block. */
    private static final class PatternStream extends InputStream {
        private long remaining;

        PatternStream(long length) {
            this.remaining = length;
        }

        @Override
        public int read() {
            if (remaining == 0) {
                return -1;
            }
            remaining--;
            return PATTERN[(int) (remaining % PATTERN.length)] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (remaining == 0) {
                return -1;
            }
            int offset = (int) (remaining % PATTERN.length);
            int n = (int) Math.min(Math.min(len, remaining), PATTERN.length - offset);
            System.arraycopy(PATTERN, offset, b, off, n);
            remaining -= n;
            return n;
        }
    }
}
