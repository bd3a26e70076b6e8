package dev.harmony.dicom.internal.net;

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

    /** From an A-ABORT PDU body (PS3.8 9.3.8): source in byte 2, reason in byte 3; missing bytes read as 0. */
    public static AbortedException fromPdu(byte[] body) {
        return new AbortedException(body.length > 2 ? body[2] & 0xFF : 0, body.length > 3 ? body[3] & 0xFF : 0);
    }

    public int source() {
        return source;
    }

    public int reason() {
        return reason;
    }
}
