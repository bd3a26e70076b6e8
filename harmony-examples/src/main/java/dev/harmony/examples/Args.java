package dev.harmony.examples;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Parsed command-line options: {@code --name value}, {@code --name=value} or a bare {@code --flag}.
 * Unknown options are an error, so a typo never goes unnoticed.
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
            if (flags.contains(name)) {
                if (value != null) {
                    throw new IllegalArgumentException("option --" + name + " takes no value");
                }
                a.options.put(name, "true");
            } else if (valued.contains(name)) {
                if (value == null) {
                    if (i + 1 >= argv.size()) {
                        throw new IllegalArgumentException("option --" + name + " needs a value");
                    }
                    value = argv.get(++i);
                }
                if (a.options.containsKey(name)) { // a second value would silently replace the first
                    throw new IllegalArgumentException("option --" + name + " is given twice; it takes one value");
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
