package dev.harmony.message;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Immutable, multi-valued, case-insensitive headers. Names keep the spelling they were first added
 * with; lookups ignore case.
 */
public final class Headers {
    private static final Headers EMPTY = new Headers(new TreeMap<>(String.CASE_INSENSITIVE_ORDER));

    private final TreeMap<String, List<String>> values;

    private Headers(TreeMap<String, List<String>> values) {
        this.values = values;
    }

    public static Headers empty() {
        return EMPTY;
    }

    /** Headers from name/value pairs: {@code Headers.of("Accept", "application/json")}. */
    public static Headers of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("expected name/value pairs, got an odd count");
        }
        Builder b = builder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            b.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return b.build();
    }

    public static Builder builder() {
        return new Builder(new TreeMap<>(String.CASE_INSENSITIVE_ORDER));
    }

    /** The first value of {@code name}. */
    public Optional<String> first(String name) {
        List<String> list = values.get(name);
        return list == null ? Optional.empty() : Optional.of(list.get(0));
    }

    /** All values of {@code name}, in order; empty if absent. */
    public List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    public boolean contains(String name) {
        return values.containsKey(name);
    }

    public Set<String> names() {
        return Collections.unmodifiableSet(values.keySet());
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    /** A copy where {@code name} has exactly one value. */
    public Headers with(String name, String value) {
        return toBuilder().set(name, value).build();
    }

    /** A copy without {@code name}. */
    public Headers without(String name) {
        return toBuilder().remove(name).build();
    }

    public Builder toBuilder() {
        TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        values.forEach((k, v) -> copy.put(k, new ArrayList<>(v)));
        return new Builder(copy);
    }

    /** Every name with its values, for iteration. */
    public Map<String, List<String>> asMap() {
        return Collections.unmodifiableMap(values);
    }

    @Override
    public String toString() {
        return values.toString();
    }

    /** Collects headers; {@link #build()} freezes them. */
    public static final class Builder {
        private final TreeMap<String, List<String>> values;

        private Builder(TreeMap<String, List<String>> values) {
            this.values = values;
        }

        /** Appends a value, keeping earlier ones. */
        public Builder add(String name, String value) {
            values.computeIfAbsent(checkName(name), k -> new ArrayList<>()).add(Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Replaces all values of {@code name} by one. */
        public Builder set(String name, String value) {
            List<String> list = new ArrayList<>();
            list.add(Objects.requireNonNull(value, "value"));
            values.remove(name);
            values.put(checkName(name), list);
            return this;
        }

        public Builder remove(String name) {
            values.remove(name);
            return this;
        }

        public Headers build() {
            TreeMap<String, List<String>> frozen = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            values.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
            return new Headers(frozen);
        }

        private static String checkName(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isEmpty() || name.chars().anyMatch(c -> c <= ' ' || c == ':' || c == 0x7f)) {
                throw new IllegalArgumentException("invalid header name: '" + name + "'");
            }
            return name;
        }
    }
}
