package dev.harmony.examples;

import dev.harmony.examples.dicom.DicomScpExample;
import dev.harmony.examples.fhirproxy.FhirProxyExample;
import dev.harmony.examples.joltfhir.JoltFhirExample;
import dev.harmony.examples.mllpfhir.MllpFhirExample;
import dev.harmony.pipeline.Pipeline;
import java.util.List;
import java.util.function.Supplier;

/**
 * The example pipelines built with their defaults and not started, for {@code diagram} and docs.
 * Each entry is one example class's {@code pipeline(...)} factory.
 */
final class ExamplePipelines {
    private ExamplePipelines() {
    }

    /** Builders of every example pipeline with default settings (nothing is started or opened). */
    static List<Supplier<Pipeline>> all() {
        return List.of(   // in the order of the product brief's seed pipelines
                DicomScpExample::pipeline,
                FhirProxyExample::pipeline,
                JoltFhirExample::pipeline,
                MllpFhirExample::pipeline);
    }
}
