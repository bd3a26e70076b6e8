package dev.harmony.dicom.internal.dimse;

import dev.harmony.pipeline.Rejection;
import java.io.IOException;

/**
 * The sender broke off in the middle of a data set (A-ABORT, closed or reset connection, a protocol
 * violation, silence past the idle timeout). Its cause chain carries a {@link Rejection} (MALFORMED),
 * so a stage that lets it propagate yields a rejection, logged as such, rather than an internal error
 * with a stack trace: nothing on our side failed. {@link #connectionFailure()} is what the connection raised.
 */
public final class SenderGoneException extends IOException {
    private static final long serialVersionUID = 1L;
    private final IOException connectionFailure;

    SenderGoneException(IOException connectionFailure) {
        super("the sender broke off the data set: " + connectionFailure.getMessage(),
                Rejection.malformed("the data set did not arrive complete: " + connectionFailure.getMessage())
                        .toException());
        this.connectionFailure = connectionFailure;
    }

    /** The failure as the connection raised it (e.g. {@code AbortedException}, {@code EOFException}). */
    public IOException connectionFailure() {
        return connectionFailure;
    }
}
