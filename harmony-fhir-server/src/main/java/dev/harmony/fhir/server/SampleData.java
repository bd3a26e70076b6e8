package dev.harmony.fhir.server;

import java.util.List;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/** The few sample resources a seeded server starts with: three patients and two observations. */
final class SampleData {
    /** The identifier system of the sample patients' medical record numbers. */
    static final String MRN_SYSTEM = "urn:harmony:mrn";

    private SampleData() {
    }

    static void seed(ResourceStore store) {
        String first = store.create(patient("1001", "Doe", "Jane", AdministrativeGender.FEMALE, "1980-04-12"))
                .resource().getIdElement().getIdPart();
        store.create(patient("1002", "Smith", "John", AdministrativeGender.MALE, "1975-09-30"));
        store.create(patient("1003", "Garcia", "Maria", AdministrativeGender.FEMALE, "1992-01-05"));
        for (Resource r : List.of(heartRate(first, 72), heartRate(first, 80))) {
            store.create(r);
        }
    }

    private static Patient patient(String mrn, String family, String given, AdministrativeGender gender,
            String birthDate) {
        Patient p = new Patient();
        p.addIdentifier().setSystem(MRN_SYSTEM).setValue(mrn);
        p.addName().setFamily(family).addGiven(given);
        p.setGender(gender);
        p.setBirthDateElement(new org.hl7.fhir.r4.model.DateType(birthDate));
        return p;
    }

    private static Observation heartRate(String patientId, int beatsPerMinute) {
        Observation o = new Observation();
        o.setStatus(Observation.ObservationStatus.FINAL);
        o.getCode().addCoding().setSystem("http://loinc.org").setCode("8867-4").setDisplay("Heart rate");
        o.setSubject(new Reference("Patient/" + patientId));
        o.setValue(new Quantity().setValue(beatsPerMinute).setUnit("beats/minute")
                .setSystem("http://unitsofmeasure.org").setCode("/min"));
        return o;
    }
}
