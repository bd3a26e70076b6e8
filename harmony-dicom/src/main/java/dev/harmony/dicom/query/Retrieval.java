package dev.harmony.dicom.query;

import java.util.List;

/**
 * A backend's answer to a C-MOVE (or, later, C-GET) exchange: the instances to send, which the listener
 * sends as C-STORE sub-operations, reporting progress in Pending responses.
 *
 * @param instances the instances, in the order to send them
 */
public record Retrieval(List<StoredInstance> instances) {
    public Retrieval {
        instances = List.copyOf(instances);
    }
}
