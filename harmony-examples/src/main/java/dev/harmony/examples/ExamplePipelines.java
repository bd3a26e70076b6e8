package dev.harmony.examples;

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
        return List.of(
                dev.harmony.examples.joltfhir.JoltFhirExample::pipeline,
                dev.harmony.examples.dicom.DicomScpExample::pipeline,
                dev.harmony.examples.fhirproxy.FhirProxyExample::pipeline);
    }
}
