package dev.harmony.dicom.query;

/**
 * Where a C-MOVE stands, as a C-MOVE-RSP tells it (PS3.7 9.1.4): its status and the sub-operation
 * counts. A count the response did not carry is -1.
 *
 * @param status FF00 while pending; else the final status (0000, B000, FE00 or a failure)
 * @param remaining sub-operations still to do
 * @param completed sub-operations that succeeded
 * @param failed sub-operations that failed
 * @param warning sub-operations that ended with a warning
 */
public record MoveOutcome(int status, int remaining, int completed, int failed, int warning) {
    /** Whether more responses follow. */
    public boolean pending() {
        return status == 0xFF00 || status == 0xFF01;
    }
}
