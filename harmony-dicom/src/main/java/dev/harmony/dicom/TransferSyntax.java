package dev.harmony.dicom;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A transfer syntax (PS3.5 section 10) and how its data sets are encoded. Compressed syntaxes are
 * explicit VR little endian with encapsulated pixel data, which Harmony passes through untouched.
 *
 * @param uid the transfer syntax UID
 * @param name a readable name for logs
 * @param explicitVr whether elements carry their VR
 * @param bigEndian whether numbers are big endian (retired; read-only support)
 * @param deflated whether the data set is deflated (RFC 1951, no zlib header)
 */
public record TransferSyntax(String uid, String name, boolean explicitVr, boolean bigEndian, boolean deflated) {
    public static final TransferSyntax IMPLICIT_VR_LITTLE_ENDIAN =
            new TransferSyntax("1.2.840.10008.1.2", "Implicit VR Little Endian", false, false, false);
    public static final TransferSyntax EXPLICIT_VR_LITTLE_ENDIAN =
            new TransferSyntax("1.2.840.10008.1.2.1", "Explicit VR Little Endian", true, false, false);
    public static final TransferSyntax DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN =
            new TransferSyntax("1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", true, false, true);
    public static final TransferSyntax EXPLICIT_VR_BIG_ENDIAN =
            new TransferSyntax("1.2.840.10008.1.2.2", "Explicit VR Big Endian", true, true, false);

    /** The uncompressed syntaxes, most preferred first. */
    public static final List<TransferSyntax> UNCOMPRESSED = List.of(EXPLICIT_VR_LITTLE_ENDIAN,
            IMPLICIT_VR_LITTLE_ENDIAN, DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN, EXPLICIT_VR_BIG_ENDIAN);

    /** Common compressed syntaxes, accepted as-is (pixel data stays encapsulated). */
    public static final List<TransferSyntax> COMPRESSED = List.of(
            encapsulated("1.2.840.10008.1.2.4.50", "JPEG Baseline"),
            encapsulated("1.2.840.10008.1.2.4.51", "JPEG Extended"),
            encapsulated("1.2.840.10008.1.2.4.57", "JPEG Lossless"),
            encapsulated("1.2.840.10008.1.2.4.70", "JPEG Lossless SV1"),
            encapsulated("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless"),
            encapsulated("1.2.840.10008.1.2.4.81", "JPEG-LS Near-Lossless"),
            encapsulated("1.2.840.10008.1.2.4.90", "JPEG 2000 Lossless"),
            encapsulated("1.2.840.10008.1.2.4.91", "JPEG 2000"),
            encapsulated("1.2.840.10008.1.2.5", "RLE Lossless"));

    private static final Map<String, TransferSyntax> KNOWN = java.util.stream.Stream
            .concat(UNCOMPRESSED.stream(), COMPRESSED.stream())
            .collect(Collectors.toUnmodifiableMap(TransferSyntax::uid, Function.identity()));

    public TransferSyntax {
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(name, "name");
        if (!Uids.isValid(uid)) {
            throw new IllegalArgumentException("not a valid transfer syntax UID: '" + uid + "'");
        }
    }

    /** A compressed syntax: explicit VR little endian with encapsulated pixel data. */
    public static TransferSyntax encapsulated(String uid, String name) {
        return new TransferSyntax(uid, name, true, false, false);
    }

    /** The known syntax with this UID. */
    public static Optional<TransferSyntax> of(String uid) {
        return Optional.ofNullable(KNOWN.get(uid));
    }

    /** Every syntax Harmony accepts by default: the uncompressed ones and the common compressed ones. */
    public static List<TransferSyntax> defaults() {
        return java.util.stream.Stream.concat(UNCOMPRESSED.stream(), COMPRESSED.stream()).toList();
    }

    @Override
    public String toString() {
        return name + " (" + uid + ")";
    }
}
