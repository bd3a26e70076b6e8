package dev.harmony.examples.all;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Where the three seed pipelines of {@code all}/{@code demo} listen and deliver.
 *
 * @param dicomPort DICOM listener port (0 = any free port)
 * @param dicomAeTitle the listener's AE title
 * @param allowedCallingAes calling AE titles admitted by the AE title check
 * @param dicomDir root directory of received Part-10 files
 * @param proxyPort FHIR proxy port
 * @param upstream the proxy's upstream FHIR server, or null for the embedded one
 * @param webhookPort JOLT webhook port
 * @param fhirBase the JOLT pipeline's FHIR store, or null for the embedded one
 * @param fhirPort the embedded FHIR server's port (used only if one is needed)
 * @param mllpPort the MLLP listener's port of the HL7 v2 to FHIR pipeline
 */
public record ShowcaseSettings(int dicomPort, String dicomAeTitle, List<String> allowedCallingAes, Path dicomDir,
        int proxyPort, URI upstream, int webhookPort, URI fhirBase, int fhirPort, int mllpPort) {

    /** Port 11112/8080/8081/2575 (MLLP), embedded FHIR server on 8090, files under {@code ./harmony-data/dicom}. */
    public static final ShowcaseSettings DEFAULTS = new ShowcaseSettings(11112, "HARMONY",
            List.of("MODALITY", "DEMO-CT"), Path.of("harmony-data", "dicom"), 8080, null, 8081, null, 8090, 2575);

    public ShowcaseSettings {
        Objects.requireNonNull(dicomAeTitle, "dicomAeTitle");
        allowedCallingAes = List.copyOf(allowedCallingAes);
        Objects.requireNonNull(dicomDir, "dicomDir");
    }

    /** The same with every port 0 and files under {@code dir}: for tests and side-by-side runs. */
    public ShowcaseSettings ephemeral(Path dir) {
        return new ShowcaseSettings(0, dicomAeTitle, allowedCallingAes, dir, 0, upstream, 0, fhirBase, 0, 0);
    }

    /** The same with received files under {@code dir}. */
    public ShowcaseSettings withDicomDir(Path dir) {
        return new ShowcaseSettings(dicomPort, dicomAeTitle, allowedCallingAes, dir, proxyPort, upstream, webhookPort,
                fhirBase, fhirPort, mllpPort);
    }

    boolean needsEmbeddedFhir() {
        return upstream == null || fhirBase == null;
    }
}
