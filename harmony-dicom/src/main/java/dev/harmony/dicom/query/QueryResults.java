package dev.harmony.dicom.query;

import java.io.IOException;

/**
 * The matches of a query, pulled one at a time by whoever sends them (the {@code DicomScp} turns each
 * into a Pending C-FIND-RSP), so a large result never sits in memory and a C-CANCEL simply stops
 * pulling. {@link #close()} releases what the producer holds (a database cursor) and is always called.
 */
public interface QueryResults extends AutoCloseable {
    /** The next match as the identifier of a response, or null when there are no more. */
    Dataset next() throws IOException;

    @Override
    void close() throws IOException;

    /** Results from a list already in memory. */
    static QueryResults of(java.util.List<Dataset> matches) {
        java.util.Iterator<Dataset> it = matches.iterator();
        return new QueryResults() {
            @Override
            public Dataset next() {
                return it.hasNext() ? it.next() : null;
            }

            @Override
            public void close() {
            }
        };
    }
}
