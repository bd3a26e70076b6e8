package dev.harmony.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Packages named {@code internal} are Harmony's own business: no public type outside them may show one of
 * their types to a user (as a supertype, a field, a parameter, a result or a thrown exception), and the
 * examples, which are what users copy, do not import them. Checked over every module on the class path.
 */
class ApiSurfaceTest {
    @Test
    void noPublicSignatureShowsAnInternalType() throws IOException {
        List<Class<?>> api = new ArrayList<>();
        for (Class<?> c : ShippedClasses.all()) {
            collectPublic(c, api);
        }
        assertThat(api).extracting(Class::getName)
                .contains("dev.harmony.dicom.TransferSyntax", "dev.harmony.dicom.scu.DicomClient",
                        "dev.harmony.http.frontend.HttpIngress", "dev.harmony.hl7.frontend.MllpListener");
        Set<String> violations = new TreeSet<>();
        for (Class<?> c : api) {
            check(c.getName() + " extends", c.getGenericSuperclass(), violations);
            for (Type t : c.getGenericInterfaces()) {
                check(c.getName() + " implements", t, violations);
            }
            for (Field f : c.getDeclaredFields()) {
                if (visible(f)) {
                    check(c.getName() + "." + f.getName(), f.getGenericType(), violations);
                }
            }
            if (c.isRecord()) {
                for (RecordComponent rc : c.getRecordComponents()) {
                    check(c.getName() + "." + rc.getName() + "()", rc.getGenericType(), violations);
                }
            }
            List<Executable> members = new ArrayList<>(List.of(c.getDeclaredMethods()));
            for (Constructor<?> k : c.getDeclaredConstructors()) {
                members.add(k);
            }
            for (Executable m : members) {
                if (!visible(m) || m.isSynthetic() || (m instanceof Method method && method.isBridge())) {
                    continue;
                }
                String where = c.getName() + "." + (m instanceof Constructor ? "<init>" : m.getName());
                if (m instanceof Method method) {
                    check(where + " returns", method.getGenericReturnType(), violations);
                }
                for (Type p : m.getGenericParameterTypes()) {
                    check(where + " takes", p, violations);
                }
                for (Type x : m.getGenericExceptionTypes()) {
                    check(where + " throws", x, violations);
                }
            }
        }
        assertThat(violations).isEmpty();
    }

    @Test
    void examplesDoNotImportInternals() throws IOException {
        Path main = Path.of("src/main/java/dev/harmony/examples");
        assertThat(main).isDirectory();
        List<String> importers = new ArrayList<>();
        try (Stream<Path> files = Files.walk(main)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                // The benchmarks build synthetic objects byte by byte with the codec; they measure, they are not examples.
                if (f.startsWith(main.resolve("bench"))) {
                    continue;
                }
                for (String line : Files.readAllLines(f)) {
                    if (line.startsWith("import ") && line.contains(".internal.")) {
                        importers.add(main.relativize(f) + ": " + line);
                    }
                }
            }
        }
        assertThat(importers).isEmpty();
    }

    private static void collectPublic(Class<?> c, List<Class<?>> out) {
        if (!Modifier.isPublic(c.getModifiers()) || isInternal(c)) {
            return;
        }
        out.add(c);
        for (Class<?> nested : c.getDeclaredClasses()) {
            if (Modifier.isPublic(nested.getModifiers())
                    || (Modifier.isProtected(nested.getModifiers()) && !Modifier.isFinal(c.getModifiers()))) {
                collectPublic(nested, out);
            }
        }
    }

    /** Public, or protected in a class a user can extend. */
    private static boolean visible(Member m) {
        int mods = m.getModifiers();
        boolean extensible = !Modifier.isFinal(m.getDeclaringClass().getModifiers())
                && !m.getDeclaringClass().isEnum() && !m.getDeclaringClass().isRecord();
        return Modifier.isPublic(mods) || (Modifier.isProtected(mods) && extensible);
    }

    private static boolean isInternal(Class<?> c) {
        return c.getPackageName().contains(".internal");
    }

    private static void check(String where, Type t, Set<String> violations) {
        if (t instanceof Class<?> c) {
            Class<?> base = c;
            while (base.isArray()) {
                base = base.getComponentType();
            }
            if (isInternal(base)) {
                violations.add(where + " " + base.getName());
            }
        } else if (t instanceof ParameterizedType p) {
            check(where, p.getRawType(), violations);
            for (Type a : p.getActualTypeArguments()) {
                check(where, a, violations);
            }
        } else if (t instanceof GenericArrayType g) {
            check(where, g.getGenericComponentType(), violations);
        } else if (t instanceof WildcardType w) {
            for (Type b : w.getUpperBounds()) {
                check(where, b, violations);
            }
            for (Type b : w.getLowerBounds()) {
                check(where, b, violations);
            }
        } else if (t instanceof TypeVariable<?> v) {
            for (Type b : v.getBounds()) {
                if (b != t) {
                    check(where, b, violations);
                }
            }
        }
    }
}
