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
import ca.uhn.fhir.rest.param.StringParam;
import ca.uhn.fhir.rest.param.TokenParam;
import java.util.List;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Patient;

/** Patient read, vread, search ({@code _id}, {@code identifier}, {@code family}, {@code name}), create, update, delete. */
final class PatientProvider extends StoreBackedProvider<Patient> {

    PatientProvider(ResourceStore store) {
        super(store, Patient.class);
    }

    @Read(version = true)
    public Patient read(@IdParam IdType id) {
        return doRead(id);
    }

    @Search(allowUnknownParams = false)
    public List<Patient> search(@OptionalParam(name = "_id") TokenParam id,
            @OptionalParam(name = Patient.SP_IDENTIFIER) TokenParam identifier,
            @OptionalParam(name = Patient.SP_FAMILY) StringParam family,
            @OptionalParam(name = Patient.SP_NAME) StringParam name) {
        return doSearch(Criteria.all()
                .and("_id", id == null ? null : id.getValue())
                .and("identifier", Tokens.text(identifier))
                .and("family", family == null ? null : family.getValue())
                .and("name", name == null ? null : name.getValue()));
    }

    @Create
    public MethodOutcome create(@ResourceParam Patient patient) {
        return doCreate(patient);
    }

    @Update
    public MethodOutcome update(@IdParam IdType id, @ResourceParam Patient patient) {
        return doUpdate(id, patient);
    }

    @Delete
    public MethodOutcome delete(@IdParam IdType id) {
        return doDelete(id);
    }
}
