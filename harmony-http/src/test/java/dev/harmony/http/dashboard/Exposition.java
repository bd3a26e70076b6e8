package dev.harmony.http.dashboard;

import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4, written from its specification for
 * tests: it refuses what a Prometheus server would refuse (bad names, bad escapes, unparsable values,
 * duplicate series, a TYPE after its samples, a family split in two) instead of guessing.
 */
final class Exposition {
    private static final Pattern METRIC = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /** Family name to type. */
    final Map<String, String> types = new LinkedHashMap<>();
    /** Family name to help text (unescaped). */
    final Map<String, String> help = new HashMap<>();
    /** Every sample: metric name plus its labels (sorted), to its value. */
    final Map<Series, Double> samples = new LinkedHashMap<>();

    record Series(String name, Map<String, String> labels) {
        Series {
            labels = Collections.unmodifiableMap(new TreeMap<>(labels));
        }
    }

    private Exposition() {
    }

    static Exposition parse(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the last line has no line feed");
        }
        Exposition e = new Exposition();
        Set<String> finished = new HashSet<>();
        Set<String> sampled = new HashSet<>();
        String current = null;
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            if (line.isEmpty()) {
                continue;
            }
            try {
                String family;
                if (line.startsWith("#")) {
                    String[] parts = line.split(" ", 4);
                    if (parts.length < 3 || !parts[0].equals("#")
                            || !(parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
                        continue; // a plain comment
                    }
                    family = name(parts[2]);
                    String rest = parts.length == 4 ? parts[3] : "";
                    if (parts[1].equals("TYPE")) {
                        if (!TYPES.contains(rest)) {
                            throw new IllegalArgumentException("unknown type '" + rest + "'");
                        }
                        if (e.types.put(family, rest) != null) {
                            throw new IllegalArgumentException("second TYPE for " + family);
                        }
                        if (sampled.contains(family)) {
                            throw new IllegalArgumentException("TYPE after samples of " + family);
                        }
                    } else if (e.help.put(family, unescape(rest, false)) != null) {
                        throw new IllegalArgumentException("second HELP for " + family);
                    }
                } else {
                    family = sample(e, line);
                    sampled.add(family);
                }
                if (!family.equals(current)) {
                    if (current != null) {
                        finished.add(current);
                    }
                    if (finished.contains(family)) {
                        throw new IllegalArgumentException("family " + family + " is split in two");
                    }
                    current = family;
                }
            } catch (RuntimeException ex) {
                throw new IllegalArgumentException("line " + lineNo + " '" + line + "': " + ex.getMessage(), ex);
            }
        }
        return e;
    }

    /** Parses one sample line, records it and returns the family it belongs to. */
    private static String sample(Exposition e, String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = name(line.substring(0, i));
        Map<String, String> labels = new HashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                String label = line.substring(i, eq);
                if (!LABEL.matcher(label).matches() || label.startsWith("__")) {
                    throw new IllegalArgumentException("bad label name '" + label + "'");
                }
                if (line.charAt(eq + 1) != '"') {
                    throw new IllegalArgumentException("label value not quoted");
                }
                int j = eq + 2;
                StringBuilder raw = new StringBuilder();
                while (line.charAt(j) != '"') {
                    if (line.charAt(j) == '\\') {
                        raw.append(line.charAt(j++));
                    }
                    raw.append(line.charAt(j++));
                }
                if (labels.put(label, unescape(raw.toString(), true)) != null) {
                    throw new IllegalArgumentException("label " + label + " twice");
                }
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                } else if (line.charAt(i) != '}') {
                    throw new IllegalArgumentException("expected , or } at " + i);
                }
            }
            i++;
        }
        if (i >= line.length() || line.charAt(i) != ' ') {
            throw new IllegalArgumentException("no value");
        }
        String[] rest = line.substring(i + 1).split(" ", -1);
        if (rest.length > 2) {
            throw new IllegalArgumentException("surplus fields after the value");
        }
        double value = value(rest[0]);
        if (rest.length == 2) {
            Long.parseLong(rest[1]); // a timestamp in milliseconds
        }
        if (e.samples.put(new Series(name, labels), value) != null) {
            throw new IllegalArgumentException("duplicate series " + name + labels);
        }
        String family = familyOf(e, name);
        String type = e.types.getOrDefault(family, "untyped");
        if (type.equals("counter") && value < 0 || (name.endsWith("_count") && value < 0)) {
            throw new IllegalArgumentException("negative count");
        }
        if (type.equals("summary") && name.equals(family) && !labels.containsKey("quantile")) {
            throw new IllegalArgumentException("summary sample without quantile");
        }
        return family;
    }

    private static String familyOf(Exposition e, String name) {
        for (String suffix : new String[] {"_count", "_sum", "_bucket"}) {
            if (name.endsWith(suffix)) {
                String base = name.substring(0, name.length() - suffix.length());
                String type = e.types.get(base);
                if ("summary".equals(type) || "histogram".equals(type)) {
                    if (suffix.equals("_bucket") && type.equals("summary")) {
                        throw new IllegalArgumentException("a summary has no buckets");
                    }
                    return base;
                }
            }
        }
        return name;
    }

    private static String name(String s) {
        if (!METRIC.matcher(s).matches()) {
            throw new IllegalArgumentException("bad metric name '" + s + "'");
        }
        return s;
    }

    private static double value(String s) {
        switch (s) {
            case "NaN":
                return Double.NaN;
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            default:
                if (!s.matches("[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?")) {
                    throw new IllegalArgumentException("bad value '" + s + "'");
                }
                return Double.parseDouble(s);
        }
    }

    /** Undoes the format's escapes: {@code \\}, {@code \n} and, in label values, {@code \"}. */
    private static String unescape(String s, boolean labelValue) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\') {
                b.append(c);
                continue;
            }
            if (++i == s.length()) {
                throw new IllegalArgumentException("dangling backslash");
            }
            char n = s.charAt(i);
            if (n == '\\') {
                b.append('\\');
            } else if (n == 'n') {
                b.append('\n');
            } else if (n == '"' && labelValue) {
                b.append('"');
            } else if (labelValue) {
                throw new IllegalArgumentException("bad escape \\" + n);
            } else {
                b.append('\\').append(n); // HELP text keeps other backslashes as they are
            }
        }
        return b.toString();
    }

    /** The value of {@code name} with exactly these labels; fails if there is no such series. */
    double value(String name, String... labelPairs) {
        Map<String, String> labels = new HashMap<>();
        for (int i = 0; i < labelPairs.length; i += 2) {
            labels.put(labelPairs[i], labelPairs[i + 1]);
        }
        Double v = samples.get(new Series(name, labels));
        if (v == null) {
            throw new AssertionError("no series " + name + labels + " in " + samples.keySet());
        }
        return v;
    }

    /** Every series of metric {@code name}. */
    Map<Map<String, String>, Double> series(String name) {
        Map<Map<String, String>, Double> out = new LinkedHashMap<>();
        samples.forEach((s, v) -> {
            if (s.name().equals(name)) {
                out.put(s.labels(), v);
            }
        });
        return out;
    }
}
