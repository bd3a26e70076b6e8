package dev.harmony.dicom.net;

import java.io.IOException;

/** The peer sent A-ABORT. */
public final class AbortedException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int source;
    private final int reason;

    public AbortedException(int source, int reason) {
        super("association aborted by peer (source " + source + ", reason " + reason + ")");
        this.source = source;
        this.reason = reason;
    }

    public int source() {
        return source;
    }

    public int reason() {
        return reason;
    }
}
