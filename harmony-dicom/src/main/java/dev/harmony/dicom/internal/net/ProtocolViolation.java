package dev.harmony.dicom.internal.net;

import java.io.IOException;

/** The peer broke PS3.8; the association must be aborted with {@link #abortReason()} (source 2). */
public final class ProtocolViolation extends IOException {
    private static final long serialVersionUID = 1L;
    private final int abortReason;

    public ProtocolViolation(int abortReason, String message) {
        super(message);
        this.abortReason = abortReason;
    }

    /** One of {@link AbortReason}. */
    public int abortReason() {
        return abortReason;
    }
}
