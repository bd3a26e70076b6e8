package dev.harmony.dicom.query;

import java.io.IOException;
import java.time.Duration;

/**
 * A C-MOVE or C-GET that a backend has done elsewhere (a PACS proxy relaying it, or fetching and sending
 * on), as its responses come: the listener pulls each one and passes it on to the requestor at once
 * (Pending responses with their counts, then the final one), and relays the requestor's C-CANCEL through
 * {@link #cancel()}. {@link #close()} is always called. A relayed C-GET sends its instances back through
 * the request's {@link GetRequestor} meanwhile.
 */
public interface RetrieveProgress extends AutoCloseable {
    /**
     * The next response: a Pending one, or the final one (after which this is not called again); null
     * when none came within {@code wait}, so the listener can look for a C-CANCEL meanwhile. The
     * implementation bounds the whole wait: it throws rather than return null for ever.
     *
     * @throws IOException if the retrieve broke off (the listener then ends it with a failure status
     *         and the counts of the last Pending response)
     */
    RetrieveOutcome poll(Duration wait) throws IOException;

    /** The requestor sent C-CANCEL: stop the sub-operations; the final response (FE00) follows from {@link #poll}. */
    void cancel();

    /** Releases the retrieve; if it is still running, it is cancelled or aborted. */
    @Override
    void close();
}
