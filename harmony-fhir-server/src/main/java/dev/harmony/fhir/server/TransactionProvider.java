package dev.harmony.fhir.server;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.annotation.Transaction;
import ca.uhn.fhir.rest.annotation.TransactionParam;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.BundleEntryComponent;
import org.hl7.fhir.r4.model.Bundle.HTTPVerb;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/**
 * Transaction Bundles: POST (create, conditional with {@code request.ifNoneExist}), PUT (update) and
 * DELETE entries. All-or-nothing: every entry is checked and planned under the store's lock before the
 * first write, so a bad entry leaves the store untouched. References to another entry's
 * {@code fullUrl} (typically {@code urn:uuid:...}) are rewritten to the id that entry receives.
 */
final class TransactionProvider {
    private final ResourceStore store;
    private final FhirContext fhir;

    TransactionProvider(ResourceStore store, FhirContext fhir) {
        this.store = store;
        this.fhir = fhir;
    }

    /** One entry's plan: what to do, to which id, and (for conditional creates) whether it already exists. */
    private record Plan(HTTPVerb verb, String type, String id, Resource resource, Resource existing) {
    }

    @Transaction
    public Bundle transaction(@TransactionParam Bundle bundle) {
        if (bundle.getType() != Bundle.BundleType.TRANSACTION) {
            throw new InvalidRequestException("expected a Bundle of type 'transaction', got '"
                    + (bundle.getType() == null ? "none" : bundle.getType().toCode()) + "'");
        }
        synchronized (store) {
            Map<String, String> idsByFullUrl = new HashMap<>();
            List<Plan> plans = new ArrayList<>();
            for (int i = 0; i < bundle.getEntry().size(); i++) {
                BundleEntryComponent entry = bundle.getEntry().get(i);
                Plan plan = plan(entry, i);
                plans.add(plan);
                if (entry.hasFullUrl()) {
                    idsByFullUrl.put(entry.getFullUrl(), plan.type() + "/" + plan.id());
                }
            }
            Bundle response = new Bundle().setType(Bundle.BundleType.TRANSACTIONRESPONSE);
            for (Plan plan : plans) {
                response.addEntry(apply(plan, idsByFullUrl));
            }
            return response;
        }
    }

    private Plan plan(BundleEntryComponent entry, int index) {
        String where = "Bundle.entry[" + index + "]";
        if (!entry.hasRequest() || entry.getRequest().getMethod() == null) {
            throw new InvalidRequestException(where + ".request.method is missing");
        }
        HTTPVerb verb = entry.getRequest().getMethod();
        String url = entry.getRequest().getUrl();
        if (url == null || url.isBlank()) {
            throw new InvalidRequestException(where + ".request.url is missing");
        }
        String[] parts = url.split("\\?", 2)[0].split("/");
        return switch (verb) {
            case POST -> planCreate(entry, where, parts[0]);
            case PUT -> {
                Resource resource = requireResource(entry, where, parts[0]);
                if (parts.length != 2) {
                    throw new InvalidRequestException(where + ": PUT needs request.url 'Type/id', got '" + url + "'");
                }
                yield new Plan(verb, parts[0], parts[1], resource, null);
            }
            case DELETE -> {
                if (parts.length != 2) {
                    throw new InvalidRequestException(where + ": DELETE needs request.url 'Type/id', got '" + url + "'");
                }
                store.find(parts[0], parts[1]).orElseThrow(() -> new ResourceNotFoundException(
                        where + ": " + parts[0] + "/" + parts[1] + " does not exist"));
                yield new Plan(verb, parts[0], parts[1], null, null);
            }
            default -> throw new InvalidRequestException(where + ": method " + verb.toCode()
                    + " is not supported in a transaction by this server (POST, PUT, DELETE are)");
        };
    }

    private Plan planCreate(BundleEntryComponent entry, String where, String type) {
        Resource resource = requireResource(entry, where, type);
        String condition = entry.getRequest().getIfNoneExist();
        if (condition != null && !condition.isBlank()) {
            List<Resource> matches = store.search(type, Criteria.parse(condition));
            if (matches.size() > 1) {
                throw new PreconditionFailedException(where + ": ifNoneExist '" + condition + "' matches "
                        + matches.size() + " resources");
            }
            if (matches.size() == 1) {
                Resource existing = matches.get(0);
                return new Plan(HTTPVerb.POST, type, existing.getIdElement().getIdPart(), resource, existing);
            }
        }
        return new Plan(HTTPVerb.POST, type, store.newId(), resource, null);
    }

    private static Resource requireResource(BundleEntryComponent entry, String where, String type) {
        Resource resource = entry.getResource();
        if (resource == null) {
            throw new InvalidRequestException(where + ".resource is missing");
        }
        if (!resource.fhirType().equals(type)) {
            throw new InvalidRequestException(where + ": request.url names " + type + " but the resource is a "
                    + resource.fhirType());
        }
        return resource;
    }

    private BundleEntryComponent apply(Plan plan, Map<String, String> idsByFullUrl) {
        BundleEntryComponent out = new BundleEntryComponent();
        Bundle.BundleEntryResponseComponent answer = out.getResponse();
        if (plan.verb() == HTTPVerb.DELETE) {
            store.delete(plan.type(), plan.id());
            answer.setStatus("204 No Content");
            return out;
        }
        if (plan.existing() != null) {
            answer.setStatus("200 OK");
            answer.setLocation(plan.existing().getIdElement().getValue());
            answer.setEtag("W/\"" + plan.existing().getMeta().getVersionId() + "\"");
            return out;
        }
        Resource resource = plan.resource().copy();
        rewriteReferences(resource, idsByFullUrl);
        ResourceStore.Written written = store.write(resource, plan.id());
        answer.setStatus(written.created() ? "201 Created" : "200 OK");
        answer.setLocation(written.resource().getIdElement().getValue());
        answer.setEtag("W/\"" + written.resource().getMeta().getVersionId() + "\"");
        answer.setLastModified(written.resource().getMeta().getLastUpdated());
        return out;
    }

    private void rewriteReferences(Resource resource, Map<String, String> idsByFullUrl) {
        for (Reference ref : fhir.newTerser().getAllPopulatedChildElementsOfType(resource, Reference.class)) {
            String target = ref.getReference();
            if (target != null && idsByFullUrl.containsKey(target)) {
                ref.setReference(idsByFullUrl.get(target));
            }
        }
    }
}
