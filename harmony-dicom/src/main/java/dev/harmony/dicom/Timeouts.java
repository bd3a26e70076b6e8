package dev.harmony.dicom;

import java.time.Duration;

/** The one check for configured timeouts: positive, and within the {@code int} milliseconds sockets take. */
public final class Timeouts {
    private Timeouts() {
    }

    /**
     * {@code value} if it is positive and at most {@link Integer#MAX_VALUE} ms (about 24 days), else an
     * {@link IllegalArgumentException} naming {@code option}.
     */
    public static Duration requirePositive(Duration value, String option) {
        if (value == null || value.isNegative() || value.isZero() || value.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(option + " must be a positive duration of at most "
                    + Integer.MAX_VALUE + " ms: " + value);
        }
        return value;
    }
}
