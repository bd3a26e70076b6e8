package dev.harmony.dicom;

/** Well-known UIDs and the UID syntax rule of PS3.5 section 9. */
public final class Uids {
    /** The DICOM application context name (PS3.7 annex A). */
    public static final String APPLICATION_CONTEXT = "1.2.840.10008.3.1.1.1";
    /** Verification SOP class (C-ECHO). */
    public static final String VERIFICATION = "1.2.840.10008.1.1";
    /** CT Image Storage. */
    public static final String CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2";
    /** The root of every UID the DICOM standard defines. */
    public static final String DICOM_ROOT = "1.2.840.10008.";
    /** Every storage SOP class of PS3.4 annex B lives under this root. */
    public static final String STORAGE_ROOT = "1.2.840.10008.5.1.4.1.1.";
    /** Harmony's implementation class UID (a UUID-derived 2.25 UID, PS3.5 B.2). */
    public static final String IMPLEMENTATION_CLASS = "2.25.190826442357164907620155211734327385531";
    /** Harmony's implementation version name (at most 16 characters). */
    public static final String IMPLEMENTATION_VERSION = "HARMONY_J_0_1";

    private Uids() {
    }

    /**
     * Whether {@code uid} is safe to accept: 1-64 characters of digit components separated by single
     * dots. Leading zeros in a component ({@code 999.999.2.19940822.083000}) break PS3.5 9.1 but occur in
     * real legacy data, and DCMTK and Orthanc accept them, so we do too; such a value still cannot name
     * a path outside a directory (no separators, no empty or dot-only components, no NUL).
     */
    public static boolean isValid(String uid) {
        return check(uid, true);
    }

    /** Whether {@code uid} also follows PS3.5 9.1 strictly (no leading zero in a multi-digit component). */
    public static boolean isStrict(String uid) {
        return check(uid, false);
    }

    private static boolean check(String uid, boolean leadingZeros) {
        if (uid == null || uid.isEmpty() || uid.length() > 64) {
            return false;
        }
        int componentStart = 0;
        for (int i = 0; i <= uid.length(); i++) {
            char c = i < uid.length() ? uid.charAt(i) : '.';
            if (c == '.') {
                int len = i - componentStart;
                if (len == 0 || (!leadingZeros && len > 1 && uid.charAt(componentStart) == '0')) {
                    return false;
                }
                componentStart = i + 1;
            } else if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * Storage SOP classes of the standard outside {@link #STORAGE_ROOT}: Hanging Protocol, Color Palette,
     * Generic Implant Template, Implant Assembly Template and Implant Template Group Storage.
     */
    private static final java.util.Set<String> OTHER_STORAGE = java.util.Set.of("1.2.840.10008.5.1.4.38.1",
            "1.2.840.10008.5.1.4.39.1", "1.2.840.10008.5.1.4.43.1", "1.2.840.10008.5.1.4.44.1",
            "1.2.840.10008.5.1.4.45.1");

    /** Whether {@code sopClass} is a storage SOP class of the standard (PS3.4 annex B). */
    public static boolean isStorage(String sopClass) {
        return (sopClass.startsWith(STORAGE_ROOT) && isValid(sopClass)) || OTHER_STORAGE.contains(sopClass);
    }

    /** A new random UID under the 2.25 root (UUID-based, PS3.5 B.2). */
    public static String random() {
        java.util.UUID u = java.util.UUID.randomUUID();
        java.math.BigInteger value = new java.math.BigInteger(1, java.nio.ByteBuffer.allocate(16)
                .putLong(u.getMostSignificantBits()).putLong(u.getLeastSignificantBits()).array());
        return "2.25." + value;
    }
}
