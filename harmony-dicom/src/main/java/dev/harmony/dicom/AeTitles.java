package dev.harmony.dicom;

/** The AE title rule of PS3.5 table 6.2-1: 1-16 characters, no backslash or control characters, not blank. */
public final class AeTitles {
    private AeTitles() {
    }

    public static boolean isValid(String title) {
        if (title == null || title.isBlank() || title.length() > 16) {
            return false;
        }
        return title.chars().allMatch(c -> c >= 0x20 && c < 0x7F && c != '\\');
    }

    /**
     * {@code title} stripped of padding, or an {@link IllegalArgumentException} naming {@code option}.
     */
    public static String require(String title, String option) {
        if (!isValid(title)) {
            throw new IllegalArgumentException(option + ": '" + title
                    + "' is not a valid AE title (1-16 printable characters, no backslash)");
        }
        return title.strip();
    }
}
