package dev.harmony.dicom.query;

import dev.harmony.dicom.DicomFormatException;
import dev.harmony.dicom.Tags;
import dev.harmony.dicom.TransferSyntax;
import dev.harmony.dicom.internal.codec.ElementHeader;
import dev.harmony.dicom.internal.codec.ElementReader;
import dev.harmony.dicom.internal.codec.ElementWriter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A small data set of short elements, such as a C-FIND identifier or a match: tag, VR and value.
 * Text values are kept as the bytes that were received (decoded ISO 8859-1, which maps every byte to
 * one character), so values in any Specific Character Set pass through unchanged. Sequences are kept
 * only as present-and-empty: the query services match and return no sequence content.
 */
public final class Dataset {
    /** The largest value kept; longer ones make the identifier malformed. */
    private static final int MAX_VALUE = 64 * 1024;

    private record Element(String vr, String value) {
    }

    private final TreeMap<Integer, Element> elements = new TreeMap<>(Integer::compareUnsigned);

    /** An empty data set. */
    public Dataset() {
    }

    /** Sets {@code tag} to {@code value} (multiple values separated by backslashes). */
    public Dataset set(int tag, String vr, String value) {
        if (vr == null || vr.length() != 2) {
            throw new IllegalArgumentException("Dataset.set " + Tags.toString(tag) + ": VR must have two letters");
        }
        elements.put(tag, new Element(vr, value == null ? "" : value));
        return this;
    }

    /** Sets a known key (see {@link QueryKeys}) with its dictionary VR. */
    public Dataset set(int tag, String value) {
        return set(tag, QueryKeys.vrOf(tag), value);
    }

    /** Whether {@code tag} is present (possibly empty, which in a query means universal matching). */
    public boolean contains(int tag) {
        return elements.containsKey(tag);
    }

    /** The value of {@code tag} without padding, or empty if absent. */
    public Optional<String> string(int tag) {
        Element e = elements.get(tag);
        return e == null ? Optional.empty() : Optional.of(e.value());
    }

    /** The VR of {@code tag}, or null if absent. */
    public String vr(int tag) {
        Element e = elements.get(tag);
        return e == null ? null : e.vr();
    }

    /** The tags present, in ascending order. */
    public Set<Integer> tags() {
        return Collections.unmodifiableSet(elements.keySet());
    }

    public int size() {
        return elements.size();
    }

    /** The data set encoded in little endian {@code ts} (explicit or implicit VR), padded as PS3.5 requires. */
    public byte[] encode(TransferSyntax ts) {
        if (ts.bigEndian() || ts.deflated()) {
            throw new IllegalArgumentException("Dataset.encode: " + ts.name() + " is not supported");
        }
        ElementWriter w = ts.explicitVr() ? ElementWriter.explicitLittleEndian() : ElementWriter.implicitLittleEndian();
        elements.forEach((tag, e) -> {
            byte[] raw = e.value().getBytes(StandardCharsets.ISO_8859_1);
            if (raw.length % 2 != 0) {
                raw = java.util.Arrays.copyOf(raw, raw.length + 1);
                raw[raw.length - 1] = e.vr().equals("UI") ? 0 : (byte) ' ';
            }
            if (e.vr().equals("SQ")) {
                raw = new byte[0];
            }
            w.bytes(tag, e.vr(), raw);
        });
        return w.toByteArray();
    }

    /**
     * Parses a data set in little endian {@code ts}.
     *
     * @throws DicomFormatException if it is truncated, badly encoded or holds an over-long value
     */
    public static Dataset decode(byte[] encoded, TransferSyntax ts) throws DicomFormatException {
        if (ts.bigEndian() || ts.deflated()) {
            throw new DicomFormatException(ts.name() + " is not supported for identifiers");
        }
        Dataset d = new Dataset();
        ElementReader reader = ElementReader.forSyntax(new ByteArrayInputStream(encoded), ts);
        ByteArrayInputStream values = new ByteArrayInputStream(encoded);
        try {
            int previous = -1;
            for (ElementHeader h = reader.next(); h != null; h = reader.next()) {
                if (h.tag() == Tags.ITEM || h.tag() == Tags.ITEM_DELIMITATION || h.tag() == Tags.SEQUENCE_DELIMITATION) {
                    throw new DicomFormatException("item tag " + Tags.toString(h.tag()) + " at the top level");
                }
                if (previous != -1 && Integer.compareUnsigned(h.tag(), previous) <= 0) {
                    throw new DicomFormatException("element " + Tags.toString(h.tag()) + " out of ascending order");
                }
                previous = h.tag();
                String vr = h.vr() != null ? h.vr() : QueryKeys.vrOf(h.tag());
                if (vr.equals("SQ") || h.undefinedLength()) {
                    reader.skipValue(h);
                    d.elements.put(h.tag(), new Element("SQ", ""));
                    continue;
                }
                if (h.length() > MAX_VALUE) {
                    throw new DicomFormatException("value of " + Tags.toString(h.tag()) + " is longer than " + MAX_VALUE);
                }
                int start = (int) reader.position();
                reader.skipValue(h);
                values.reset();
                values.skipNBytes(start);
                byte[] raw = values.readNBytes((int) h.length());
                if ((h.tag() >>> 16) == 0x0002 || (h.tag() >>> 16) == 0x0000) {
                    continue; // command or meta elements do not belong in a data set; ignore them
                }
                d.elements.put(h.tag(), new Element(vr, trim(raw, vr)));
            }
        } catch (DicomFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new DicomFormatException("data set is truncated: " + e.getMessage());
        }
        return d;
    }

    private static String trim(byte[] raw, String vr) {
        int end = raw.length;
        while (end > 0 && (raw[end - 1] == 0 || (raw[end - 1] == ' ' && !vr.equals("UT")))) {
            end--;
        }
        int start = 0;
        if (!vr.equals("LT") && !vr.equals("ST") && !vr.equals("UT")) {
            while (start < end && raw[start] == ' ') {
                start++;
            }
        }
        return new String(raw, start, end - start, StandardCharsets.ISO_8859_1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Dataset other && elements.equals(other.elements);
    }

    @Override
    public int hashCode() {
        return elements.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Dataset{");
        elements.forEach((tag, e) -> b.append(Tags.toString(tag)).append(' ').append(e.vr()).append(" [")
                .append(e.value()).append("] "));
        return b.append('}').toString();
    }
}
