package dev.harmony.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.pipeline.BackendStage;
import dev.harmony.pipeline.Frontend;
import dev.harmony.pipeline.MiddlewareStage;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every stage the modules ship is made one way: a static factory returns a builder, and only the
 * builder's {@code build()} returns the stage. Checked over every public stage class on the class path
 * (all modules are dependencies of the examples), so a new stage cannot drift from it.
 */
class BuilderStyleTest {
    /** Test doubles are made directly; they are not shipped stages. */
    private static final String TEST_KIT = "dev.harmony.testing.";

    @Test
    void noStageIsReturnedByAFactoryOnlyByABuilder() throws Exception {
        List<Class<?>> stages = shippedStages();
        assertThat(stages).extracting(Class::getSimpleName)
                .contains("DicomScp", "AeTitleCheck", "DicomFileStore", "StoreAndForward", "DicomForward",
                        "HttpIngress", "JwtAuth", "RateLimit", "HttpForward", "Jolt", "JsonSchema",
                        "FhirValidation", "FhirClient", "DeliveryQueue", "MllpListener", "Hl7ToJson", "MllpForward");
        List<String> violations = new ArrayList<>();
        for (Class<?> stage : stages) {
            for (Method m : stage.getMethods()) {
                if (Modifier.isStatic(m.getModifiers()) && m.getDeclaringClass() == stage
                        && stage.isAssignableFrom(m.getReturnType())) {
                    violations.add(stage.getSimpleName() + "." + m.getName() + " returns the stage itself");
                }
            }
            for (Class<?> nested : stage.getClasses()) {
                if (!nested.getSimpleName().equals("Builder")) {
                    continue;
                }
                if (isStage(nested)) {
                    violations.add(stage.getSimpleName() + ".Builder is itself a stage");
                }
                try {
                    Method build = nested.getMethod("build");
                    if (!stage.isAssignableFrom(build.getReturnType())) {
                        violations.add(stage.getSimpleName() + ".Builder.build() returns " + build.getReturnType());
                    }
                } catch (NoSuchMethodException e) {
                    violations.add(stage.getSimpleName() + ".Builder has no build()");
                }
            }
        }
        assertThat(violations).isEmpty();
    }

    private static boolean isStage(Class<?> c) {
        return Frontend.class.isAssignableFrom(c) || MiddlewareStage.class.isAssignableFrom(c)
                || BackendStage.class.isAssignableFrom(c);
    }

    private static List<Class<?>> shippedStages() throws IOException {
        List<Class<?>> stages = new ArrayList<>();
        for (Class<?> c : ShippedClasses.all()) {
            if (!c.getName().startsWith(TEST_KIT) && Modifier.isPublic(c.getModifiers()) && !c.isInterface()
                    && !Modifier.isAbstract(c.getModifiers()) && isStage(c)) {
                stages.add(c);
            }
        }
        return stages;
    }
}
