package dev.harmony.dicom.scu;

import java.util.List;

/**
 * The outcome of a C-GET, or its progress so far while it is pending.
 *
 * @param status the C-GET-RSP status: 0000, B000 (some sub-operations failed or had warnings),
 *        FE00 (cancelled), a failure such as A702, or FF00 in the progress of a pending response
 * @param completed the peer's Number of Completed Sub-operations (0 if it sent none)
 * @param failed the peer's Number of Failed Sub-operations
 * @param warning the peer's Number of Warning Sub-operations
 * @param refusedByUs the SOP instance UIDs whose C-STORE we answered with a failure (the sink threw, or
 *        the instance came on a context we did not propose for it), in arrival order
 */
public record GetResult(int status, int completed, int failed, int warning, List<String> refusedByUs) {
    public GetResult {
        refusedByUs = List.copyOf(refusedByUs);
    }

    /** Whether the C-GET ended with status 0000. */
    public boolean isSuccess() {
        return status == 0;
    }
}
