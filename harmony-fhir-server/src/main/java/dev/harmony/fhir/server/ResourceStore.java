package dev.harmony.fhir.server;

import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Resource;

/**
 * The in-memory, versioned resource store behind the embedded server. One monitor guards everything:
 * it is a test and demo store, and a single lock makes transactions trivially atomic (callers that
 * need several operations to be atomic synchronize on the store).
 *
 * <p>Resources are copied on the way in and out, so no caller can change what is stored.
 */
final class ResourceStore {

    /** Every version of one resource; a delete appends a tombstone (null). */
    private static final class History {
        final List<Resource> versions = new ArrayList<>();

        Resource current() {
            return versions.get(versions.size() - 1);
        }
    }

    /** What a write did, for HTTP status and transaction-response entries. */
    record Written(Resource resource, boolean created) {
    }

    private final Map<String, Map<String, History>> byType = new LinkedHashMap<>();
    private long nextId = 1;

    /** Reserves a fresh server-assigned id (ids are unique across types, which keeps logs unambiguous). */
    synchronized String newId() {
        return Long.toString(nextId++);
    }

    synchronized Written create(Resource resource) {
        return write(resource, newId());
    }

    /** Creates or replaces {@code id}; the answer says which. */
    synchronized Written write(Resource resource, String id) {
        String type = resource.fhirType();
        History history = byType.computeIfAbsent(type, t -> new LinkedHashMap<>()).computeIfAbsent(id, i -> new History());
        boolean created = history.versions.isEmpty() || history.current() == null;
        Resource stored = resource.copy();
        int version = history.versions.size() + 1;
        stored.setId(new IdType(type, id, Integer.toString(version)));
        stored.getMeta().setVersionId(Integer.toString(version));
        stored.getMeta().setLastUpdated(new Date());
        history.versions.add(stored);
        return new Written(stored.copy(), created);
    }

    /** Deletes {@code type/id}; false if there was nothing (or only a tombstone) there. */
    synchronized boolean delete(String type, String id) {
        History history = byType.getOrDefault(type, Map.of()).get(id);
        if (history == null || history.current() == null) {
            return false;
        }
        history.versions.add(null);
        return true;
    }

    /** The current version; 404 if never stored, 410 if deleted. */
    synchronized Resource read(String type, String id) {
        History history = byType.getOrDefault(type, Map.of()).get(id);
        if (history == null) {
            throw new ResourceNotFoundException(new IdType(type, id));
        }
        if (history.current() == null) {
            throw new ResourceGoneException(new IdType(type, id));
        }
        return history.current().copy();
    }

    /** One version; 404 if it does not exist. */
    synchronized Resource read(String type, String id, String version) {
        History history = byType.getOrDefault(type, Map.of()).get(id);
        int v = parseVersion(version);
        if (history == null || v < 1 || v > history.versions.size() || history.versions.get(v - 1) == null) {
            throw new ResourceNotFoundException(new IdType(type, id, version));
        }
        return history.versions.get(v - 1).copy();
    }

    /** Current (not deleted) resources of {@code type} matching {@code criteria}, in creation order. */
    synchronized List<Resource> search(String type, Criteria criteria) {
        List<Resource> out = new ArrayList<>();
        for (History h : byType.getOrDefault(type, Map.of()).values()) {
            Resource r = h.current();
            if (r != null && criteria.matches(r)) {
                out.add(r.copy());
            }
        }
        return out;
    }

    synchronized Optional<Resource> find(String type, String id) {
        History history = byType.getOrDefault(type, Map.of()).get(id);
        return history == null || history.current() == null ? Optional.empty() : Optional.of(history.current().copy());
    }

    private static int parseVersion(String version) {
        try {
            return Integer.parseInt(version);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
