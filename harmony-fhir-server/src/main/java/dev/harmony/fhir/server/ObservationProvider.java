package dev.harmony.fhir.server;

import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.rest.annotation.Delete;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.OptionalParam;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.annotation.Update;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.param.ReferenceParam;
import ca.uhn.fhir.rest.param.TokenParam;
import java.util.List;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Observation;

/** Observation read, vread, search ({@code _id}, {@code identifier}, {@code subject}, {@code patient}), create, update, delete. */
final class ObservationProvider extends StoreBackedProvider<Observation> {

    ObservationProvider(ResourceStore store) {
        super(store, Observation.class);
    }

    @Read(version = true)
    public Observation read(@IdParam IdType id) {
        return doRead(id);
    }

    @Search(allowUnknownParams = false)
    public List<Observation> search(@OptionalParam(name = "_id") TokenParam id,
            @OptionalParam(name = Observation.SP_IDENTIFIER) TokenParam identifier,
            @OptionalParam(name = Observation.SP_SUBJECT) ReferenceParam subject,
            @OptionalParam(name = Observation.SP_PATIENT) ReferenceParam patient) {
        return doSearch(Criteria.all()
                .and("_id", id == null ? null : id.getValue())
                .and("identifier", Tokens.text(identifier))
                .and("subject", subject == null ? null : subject.getValue())
                .and("patient", patient == null ? null : patient.getIdPart()));
    }

    @Create
    public MethodOutcome create(@ResourceParam Observation observation) {
        return doCreate(observation);
    }

    @Update
    public MethodOutcome update(@IdParam IdType id, @ResourceParam Observation observation) {
        return doUpdate(id, observation);
    }

    @Delete
    public MethodOutcome delete(@IdParam IdType id) {
        return doDelete(id);
    }
}
