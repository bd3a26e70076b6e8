package dev.harmony.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.pipeline.BackendStage;
import dev.harmony.pipeline.Frontend;
import dev.harmony.pipeline.MiddlewareStage;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
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
        List<String> names = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (!p.toString().contains("harmony-") || p.toString().contains("test-classes")) {
                continue;
            }
            if (Files.isDirectory(p)) {
                try (Stream<Path> files = Files.walk(p)) {
                    files.filter(f -> f.toString().endsWith(".class"))
                            .forEach(f -> names.add(p.relativize(f).toString()));
                }
            } else if (p.toString().endsWith(".jar")) {
                try (JarFile jar = new JarFile(p.toFile())) {
                    for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements();) {
                        names.add(e.nextElement().getName());
                    }
                }
            }
        }
        List<Class<?>> stages = new ArrayList<>();
        for (String n : names) {
            if (!n.startsWith("dev/harmony/") || !n.endsWith(".class") || n.contains("$")) {
                continue;
            }
            String className = n.substring(0, n.length() - ".class".length()).replace('/', '.');
            if (className.startsWith(TEST_KIT) || className.startsWith("dev.harmony.examples.")) {
                continue;
            }
            Class<?> c;
            try {
                c = Class.forName(className, false, BuilderStyleTest.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                continue;
            }
            if (Modifier.isPublic(c.getModifiers()) && !c.isInterface() && !Modifier.isAbstract(c.getModifiers())
                    && isStage(c)) {
                stages.add(c);
            }
        }
        return stages;
    }
}
