package dev.harmony.examples;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/** The top-level classes of every Harmony module on the class path (all are dependencies of the examples). */
final class ShippedClasses {
    private ShippedClasses() {
    }

    /** Every loadable top-level {@code dev.harmony} class outside the examples and outside test classes. */
    static List<Class<?>> all() throws IOException {
        List<String> names = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (!p.toString().contains("harmony-") || p.toString().contains("test-classes")) {
                continue;
            }
            if (Files.isDirectory(p)) {
                try (Stream<Path> files = Files.walk(p)) {
                    files.filter(f -> f.toString().endsWith(".class"))
                            .forEach(f -> names.add(p.relativize(f).toString().replace(File.separatorChar, '/')));
                }
            } else if (p.toString().endsWith(".jar")) {
                try (JarFile jar = new JarFile(p.toFile())) {
                    for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements();) {
                        names.add(e.nextElement().getName());
                    }
                }
            }
        }
        List<Class<?>> classes = new ArrayList<>();
        for (String n : names) {
            if (!n.startsWith("dev/harmony/") || !n.endsWith(".class") || n.contains("$")
                    || n.endsWith("package-info.class")) {
                continue;
            }
            String className = n.substring(0, n.length() - ".class".length()).replace('/', '.');
            if (className.startsWith("dev.harmony.examples.")) {
                continue;
            }
            try {
                classes.add(Class.forName(className, false, ShippedClasses.class.getClassLoader()));
            } catch (ClassNotFoundException | LinkageError e) {
                // an optional dependency of that class is absent: it cannot be part of what users see
            }
        }
        return classes;
    }
}
