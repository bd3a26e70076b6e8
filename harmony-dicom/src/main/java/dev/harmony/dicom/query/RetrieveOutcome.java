package dev.harmony.dicom.query;

import java.util.List;

/**
 * Where a C-MOVE or C-GET stands, as one of its responses tells it (PS3.7 9.1.3, 9.1.4): the status and
 * the sub-operation counts. A Pending response (FF00) tells the progress; the final one the outcome.
 * A count the response did not carry is -1 (a final response has no remaining count, PS3.4 C.4.2.3.1).
 *
 * @param status FF00 while pending; else the final status: 0000, B000 (some sub-operations failed or
 *        had warnings), FE00 (cancelled) or a failure such as A702
 * @param remaining sub-operations still to do
 * @param completed sub-operations that succeeded
 * @param failed sub-operations that failed
 * @param warning sub-operations that ended with a warning
 * @param refusedByUs C-GET only: the SOP instance UIDs whose C-STORE sub-operation we (the requestor)
 *        answered with a failure, in arrival order; empty for C-MOVE
 */
public record RetrieveOutcome(int status, int remaining, int completed, int failed, int warning,
        List<String> refusedByUs) {
    public RetrieveOutcome {
        refusedByUs = List.copyOf(refusedByUs);
    }

    /** An outcome without refused instances (every C-MOVE). */
    public RetrieveOutcome(int status, int remaining, int completed, int failed, int warning) {
        this(status, remaining, completed, failed, warning, List.of());
    }

    /** Whether more responses follow (Pending). */
    public boolean pending() {
        return status == 0xFF00 || status == 0xFF01;
    }

    /** Whether the retrieve ended with status 0000. */
    public boolean isSuccess() {
        return status == 0;
    }
}
