package dev.harmony.message;

import java.util.Objects;

/**
 * The wire protocol a frontend speaks. A value type rather than an enum so protocol modules can add
 * their own (HL7 MLLP, SFTP...) without touching the core.
 *
 * @param name short upper-case name, e.g. {@code HTTP}
 */
public record Protocol(String name) {
    /** HTTP/1.1 and HTTP/2 traffic, including FHIR REST. */
    public static final Protocol HTTP = new Protocol("HTTP");
    /** DICOM upper layer and DIMSE traffic. */
    public static final Protocol DICOM = new Protocol("DICOM");
    /** In-memory traffic, used by the test kit. */
    public static final Protocol MEMORY = new Protocol("MEMORY");

    public Protocol {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("protocol name must not be blank");
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
