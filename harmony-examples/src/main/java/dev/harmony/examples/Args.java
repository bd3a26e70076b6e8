package dev.harmony.examples;

import dev.harmony.dicom.AeTitles;
import dev.harmony.dicom.DicomNode;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Parsed command-line options: {@code --name value}, {@code --name=value} or a bare {@code --flag}.
 * Unknown options, missing values and options given twice are errors, so a typo never goes unnoticed.
 * Every checker throws an {@link IllegalArgumentException} whose message names the option; {@link Main}
 * prints it with the command's usage and exits 2.
 */
final class Args {
    private final Map<String, String> options = new LinkedHashMap<>();
    private final List<String> positional = new ArrayList<>();

    private Args() {
    }

    /**
     * Parses {@code argv}. {@code valued} options take a value; {@code flags} take none.
     *
     * @throws IllegalArgumentException naming the bad option
     */
    static Args parse(List<String> argv, Set<String> valued, Set<String> flags) {
        Args a = new Args();
        for (int i = 0; i < argv.size(); i++) {
            String arg = argv.get(i);
            if (!arg.startsWith("--")) {
                a.positional.add(arg);
                continue;
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (a.options.containsKey(name)) {
                throw new IllegalArgumentException("option --" + name + " is given twice");
            }
            if (flags.contains(name)) {
                if (value != null) {
                    throw new IllegalArgumentException("option --" + name + " takes no value");
                }
                a.options.put(name, "true");
            } else if (valued.contains(name)) {
                if (value == null) {
                    // "--dashboard --no-dashboard" is a forgotten value, not a dashboard on "--no-dashboard"
                    if (i + 1 >= argv.size() || argv.get(i + 1).startsWith("--")) {
                        throw new IllegalArgumentException("option --" + name + " needs a value");
                    }
                    value = argv.get(++i);
                }
                a.options.put(name, value);
            } else {
                throw new IllegalArgumentException("unknown option --" + name);
            }
        }
        return a;
    }

    Optional<String> get(String name) {
        return Optional.ofNullable(options.get(name));
    }

    String get(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    int intValue(String name, int fallback) {
        String v = options.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option --" + name + " expects a number, got '" + v + "'");
        }
    }

    /** A port option: 0 (any free port) to 65535. */
    int port(String name, int fallback) {
        int p = intValue(name, fallback);
        if (p < 0 || p > 65_535) {
            throw new IllegalArgumentException("option --" + name + " must be 0..65535, got " + p);
        }
        return p;
    }

    /** A number option within {@code min..max}. */
    int intValue(String name, int fallback, int min, int max) {
        int v = intValue(name, fallback);
        if (v < min || v > max) {
            throw new IllegalArgumentException("option --" + name + " must be " + min + ".." + max + ", got " + v);
        }
        return v;
    }

    /** An absolute http(s) URL option, e.g. {@code --upstream http://fhir.local/fhir}. */
    Optional<URI> url(String name) {
        return get(name).map(v -> {
            URI u;
            try {
                u = new URI(v);
            } catch (URISyntaxException e) {
                u = null;
            }
            if (u == null || u.getHost() == null
                    || !("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme()))) {
                throw new IllegalArgumentException("option --" + name + " expects an absolute http(s) URL, got '"
                        + v + "'");
            }
            return u;
        });
    }

    /** A file option that must name a readable regular file. */
    Optional<Path> readableFile(String name) {
        return get(name).map(v -> {
            Path file = Path.of(v);
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                throw new IllegalArgumentException("option --" + name + ": cannot read '" + v + "'"
                        + (Files.isDirectory(file) ? " (a directory)" : Files.exists(file) ? "" : " (no such file)"));
            }
            return file;
        });
    }

    /**
     * A directory option for files we write: an existing writable directory, or one that can be created
     * under the nearest existing writable directory. Nothing is created here.
     */
    Optional<Path> writableDirectory(String name) {
        return get(name).map(v -> writableDirectory("option --" + name, v));
    }

    /** As {@link #writableDirectory(String)}, for a directory named by {@code what} (e.g. an argument). */
    static Path writableDirectory(String what, String value) {
        Path dir = Path.of(value).toAbsolutePath();
        Path existing = dir;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing)) {
            throw new IllegalArgumentException(what + ": '" + value + "' is not a directory"
                    + (existing != null && !existing.equals(dir) ? " ('" + existing + "' is a file)" : ""));
        }
        if (!Files.isWritable(existing)) {
            throw new IllegalArgumentException(what + ": cannot write to '" + existing + "'");
        }
        return Path.of(value);
    }

    /** A local address option, e.g. {@code --bind 127.0.0.1}: resolved now, so a typo stops the command. */
    Optional<String> address(String name) {
        return get(name).map(v -> {
            try {
                InetAddress.getByName(v);
                return v;
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("option --" + name + ": unknown address '" + v + "'");
            }
        });
    }

    /** An AE title option (PS3.5: 1-16 printable characters, no backslash). */
    String aeTitle(String name, String fallback) {
        String v = get(name, fallback);
        if (!AeTitles.isValid(v)) {
            throw new IllegalArgumentException("option --" + name + ": '" + v
                    + "' is not a valid AE title (1-16 printable characters, no backslash)");
        }
        return v.strip();
    }

    /** A comma-separated list of AE titles. */
    Optional<List<String>> aeTitles(String name) {
        return list(name).map(titles -> {
            for (String t : titles) {
                if (!AeTitles.isValid(t)) {
                    throw new IllegalArgumentException("option --" + name + ": '" + t
                            + "' is not a valid AE title (1-16 printable characters, no backslash)");
                }
            }
            return titles;
        });
    }

    /** A remote AE option, {@code AE@host:port}. */
    Optional<DicomNode> dicomNode(String name) {
        return get(name).map(v -> {
            try {
                return DicomNode.parse(v);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("option --" + name + " expects AE@host:port (e.g. PACS@127.0.0.1:4242): "
                        + e.getMessage());
            }
        });
    }

    /** Refuses two options that cannot be given together. */
    void exclusive(String one, String other) {
        if (options.containsKey(one) && options.containsKey(other)) {
            throw new IllegalArgumentException("options --" + one + " and --" + other + " cannot be given together");
        }
    }

    /**
     * Refuses one port for two parts: {@code ports} maps each part's option (e.g. {@code --proxy-port}) to
     * the port it will listen on; 0 (any free port) never collides.
     */
    static void requireDistinctPorts(Map<String, Integer> ports) {
        Map<Integer, String> seen = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : ports.entrySet()) {
            if (e.getValue() == 0) {
                continue;
            }
            String first = seen.putIfAbsent(e.getValue(), e.getKey());
            if (first != null) {
                throw new IllegalArgumentException(first + " and " + e.getKey() + " both use port " + e.getValue()
                        + "; give one of them another port (0 picks a free one)");
            }
        }
    }

    /** A comma-separated option, e.g. {@code --allow-calling-ae A,B}: the items, stripped, blanks dropped. */
    Optional<List<String>> list(String name) {
        return get(name).map(v -> Arrays.stream(v.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList());
    }

    boolean flag(String name) {
        return options.containsKey(name);
    }

    List<String> positional() {
        return List.copyOf(positional);
    }
}
