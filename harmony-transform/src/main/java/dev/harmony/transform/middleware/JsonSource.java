package dev.harmony.transform.middleware;

import dev.harmony.message.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a JSON document used as configuration (a JOLT spec, a JSON schema) comes from, named so that
 * error messages and diagrams can say which one is meant.
 *
 * @param name short name for diagrams, e.g. {@code patient_to_fhir.json}
 * @param origin full origin for error messages, e.g. {@code classpath:joltfhir/patient_to_fhir.json}
 * @param text the document's text
 */
record JsonSource(String name, String origin, String text) {

    static JsonSource classpath(String resource, String what) {
        Objects.requireNonNull(resource, what + " resource");
        String path = resource.startsWith("/") ? resource.substring(1) : resource;
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        InputStream in = loader == null ? null : loader.getResourceAsStream(path);
        if (in == null) {
            in = JsonSource.class.getClassLoader().getResourceAsStream(path);
        }
        if (in == null) {
            throw new IllegalArgumentException(what + ": classpath resource '" + path + "' not found");
        }
        try (InputStream open = in) {
            return new JsonSource(fileName(path), "classpath:" + path,
                    new String(open.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(what + ": cannot read classpath resource '" + path + "'", e);
        }
    }

    static JsonSource file(Path file, String what) {
        Objects.requireNonNull(file, what + " file");
        try {
            return new JsonSource(String.valueOf(file.getFileName()), file.toAbsolutePath().toString(),
                    Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException(what + ": cannot read file '" + file + "': " + e, e);
        }
    }

    static JsonSource inline(String json, String what) {
        Objects.requireNonNull(json, what + " JSON");
        return new JsonSource("inline", "inline " + what, json);
    }

    /** Parses the text with {@code type}; a syntax error names the origin and the position. */
    <T> T parse(Class<T> type, String what) {
        try {
            T value = Json.mapper().readValue(text, type);
            if (value == null) {
                throw new IllegalArgumentException(what + " '" + origin + "' is empty");
            }
            return value;
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " '" + origin + "' is not valid JSON: " + Json.describe(e), e);
        }
    }

    private static String fileName(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }
}
