package dev.harmony.fhir;

/** Turns the locations stages report into FHIRPath-style expressions for {@code OperationOutcome.issue.expression}. */
final class FhirPaths {
    private FhirPaths() {
    }

    /**
     * A JSON pointer ({@code /name/0/family}) becomes {@code name[0].family}; anything else (already a
     * FHIRPath such as {@code Patient.birthDate}) is kept as it is.
     */
    static String fromLocation(String location) {
        if (!location.startsWith("/")) {
            return location;
        }
        StringBuilder path = new StringBuilder();
        for (String raw : location.substring(1).split("/", -1)) {
            String token = raw.replace("~1", "/").replace("~0", "~");
            if (!token.isEmpty() && token.chars().allMatch(Character::isDigit)) {
                path.append('[').append(token).append(']');
            } else {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(token);
            }
        }
        return path.length() == 0 ? "$this" : path.toString();
    }
}
