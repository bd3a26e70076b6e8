package dev.harmony.fhir.server;

import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.util.List;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Resource;

/**
 * The REST operations of one resource type on the shared {@link ResourceStore}. HAPI finds operations
 * through annotated methods with concrete types, so each type has a small subclass declaring them and
 * delegating here.
 */
abstract class StoreBackedProvider<T extends Resource> implements IResourceProvider {
    private final ResourceStore store;
    private final Class<T> type;

    StoreBackedProvider(ResourceStore store, Class<T> type) {
        this.store = store;
        this.type = type;
    }

    @Override
    public Class<T> getResourceType() {
        return type;
    }

    final T doRead(IdType id) {
        String name = typeName();
        Resource r = id.hasVersionIdPart() ? store.read(name, id.getIdPart(), id.getVersionIdPart())
                : store.read(name, id.getIdPart());
        return type.cast(r);
    }

    final List<T> doSearch(Criteria criteria) {
        return store.search(typeName(), criteria).stream().map(type::cast).toList();
    }

    final MethodOutcome doCreate(T resource) {
        if (resource == null) {
            throw new InvalidRequestException("no " + typeName() + " in the request body");
        }
        ResourceStore.Written w = store.create(resource);
        return outcome(w);
    }

    final MethodOutcome doUpdate(IdType id, T resource) {
        if (resource == null) {
            throw new InvalidRequestException("no " + typeName() + " in the request body");
        }
        if (resource.hasIdElement() && resource.getIdElement().hasIdPart()
                && !resource.getIdElement().getIdPart().equals(id.getIdPart())) {
            throw new InvalidRequestException("resource id '" + resource.getIdElement().getIdPart()
                    + "' does not match the URL id '" + id.getIdPart() + "'");
        }
        return outcome(store.write(resource, id.getIdPart()));
    }

    final MethodOutcome doDelete(IdType id) {
        if (!store.delete(typeName(), id.getIdPart())) {
            throw new ResourceNotFoundException(id);
        }
        return new MethodOutcome(id.toUnqualifiedVersionless());
    }

    private MethodOutcome outcome(ResourceStore.Written w) {
        MethodOutcome out = new MethodOutcome(w.resource().getIdElement(), w.created());
        out.setResource(w.resource());
        return out;
    }

    private String typeName() {
        return type.getSimpleName();
    }
}
