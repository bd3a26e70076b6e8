package dev.harmony.dicom.scu;

import java.io.IOException;

/** The peer answered a request with a failure status (e.g. C-FIND A900); the association is still usable. */
public final class DimseStatusException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public DimseStatusException(String message, int status) {
        super(message + String.format(" (status %04X)", status));
        this.status = status;
    }

    /** The DIMSE status the peer sent. */
    public int status() {
        return status;
    }
}
