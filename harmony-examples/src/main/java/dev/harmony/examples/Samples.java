package dev.harmony.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The sample messages the examples ship as resources, for printed commands and the demo. */
public final class Samples {
    private Samples() {
    }

    /** The bytes of the bundled resource {@code name}. */
    public static byte[] bytes(String name) {
        try (InputStream in = Samples.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("sample resource '" + name + "' is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the sample resource '" + name + "'", e);
        }
    }

    /** A temp file holding the resource {@code name} (deleted at exit if its owner does not delete it first). */
    public static Path toTempFile(String name, String prefix, String suffix) {
        try {
            Path file = Files.createTempFile(prefix, suffix);
            file.toFile().deleteOnExit();
            Files.write(file, bytes(name));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the sample resource '" + name + "'", e);
        }
    }
}
