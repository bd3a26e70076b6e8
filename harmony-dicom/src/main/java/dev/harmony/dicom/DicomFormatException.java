package dev.harmony.dicom;

import java.io.IOException;

/** The bytes are not a well-formed DICOM encoding (bad VR, length beyond the value, broken sequence...). */
public final class DicomFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public DicomFormatException(String message) {
        super(message);
    }
}
