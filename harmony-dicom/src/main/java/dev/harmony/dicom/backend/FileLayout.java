package dev.harmony.dicom.backend;

import dev.harmony.dicom.Uids;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A relative path pattern such as {@code {StudyInstanceUID}/{SeriesInstanceUID}/{SOPInstanceUID}.dcm}.
 * Only UID placeholders exist, and each value is checked to be a UID (digits and dots), so a resolved
 * path cannot leave the root.
 */
final class FileLayout {
    static final String STUDY = "StudyInstanceUID";
    static final String SERIES = "SeriesInstanceUID";
    static final String SOP_INSTANCE = "SOPInstanceUID";
    static final String SOP_CLASS = "SOPClassUID";
    private static final Set<String> KNOWN = Set.of(STUDY, SERIES, SOP_INSTANCE, SOP_CLASS);
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z]+)}");

    private final String pattern;

    FileLayout(String pattern) {
        if (pattern == null || pattern.isBlank() || pattern.startsWith("/") || pattern.contains("..")
                || pattern.contains("\\")) {
            throw new IllegalArgumentException("DicomFileStore.layout: '" + pattern
                    + "' must be a relative path without '..' or backslashes");
        }
        Matcher m = PLACEHOLDER.matcher(pattern);
        while (m.find()) {
            if (!KNOWN.contains(m.group(1))) {
                throw new IllegalArgumentException("DicomFileStore.layout: unknown placeholder {" + m.group(1)
                        + "}; use " + KNOWN);
            }
        }
        if (!pattern.contains("{" + SOP_INSTANCE + "}")) {
            throw new IllegalArgumentException("DicomFileStore.layout: '" + pattern
                    + "' must contain {SOPInstanceUID} so each instance gets its own file");
        }
        this.pattern = pattern;
    }

    boolean uses(String placeholder) {
        return pattern.contains("{" + placeholder + "}");
    }

    /** The file for these UID values under {@code root}; every value must be a valid UID. */
    Path resolve(Path root, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(pattern);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (!Uids.isValid(value)) {
                throw new IllegalArgumentException(m.group(1) + " '" + value + "' is not a valid UID");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        Path resolved = root.resolve(out.toString()).normalize();
        if (!resolved.startsWith(root) || resolved.equals(root)) {
            throw new IllegalArgumentException("layout resolves outside the root: " + out);
        }
        return resolved;
    }

    @Override
    public String toString() {
        return pattern;
    }
}
