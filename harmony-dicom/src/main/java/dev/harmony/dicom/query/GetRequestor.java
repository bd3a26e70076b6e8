package dev.harmony.dicom.query;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Set;

/**
 * The requestor of a C-GET, as the listener hands it to the backend on the request
 * ({@code DicomAttributes.GET_REQUESTOR}): a backend that fetches the instances elsewhere (a PACS proxy)
 * sends each back through it as a C-STORE sub-operation on the requestor's own association, while
 * the instance still arrives. It may be called from another thread than the listener's, one
 * sub-operation at a time, until the listener has sent the C-GET's final response.
 */
public interface GetRequestor {
    /**
     * The storage SOP classes the requestor accepted to receive sub-operations for (a context accepted
     * and SCP role selected), each with the transfer syntaxes of its accepted contexts.
     */
    Map<String, Set<String>> storageSyntaxes();

    /**
     * Sends one C-STORE sub-operation of {@code dataset}, encoded in {@code transferSyntax} (an explicit
     * VR little endian data set goes out in implicit VR little endian if that is what the requestor
     * accepted), and waits for the requestor's answer.
     *
     * @return the requestor's C-STORE status; 0122 without sending anything when no context of the
     *         requestor takes this SOP class in this transfer syntax
     * @throws IOException if the requestor's association failed (nothing more can be sent on it)
     */
    int store(String sopClass, String sopInstance, String transferSyntax, InputStream dataset) throws IOException;
}
