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
        return new Builder(new TreeMap<>(values)); // value lists are immutable; the builder copies one it changes
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
        private TreeMap<String, List<String>> values;
        /** Set by build(): the map now belongs to a Headers, so the next change works on a copy. */
        private boolean shared;

        private Builder(TreeMap<String, List<String>> values) {
            this.values = values;
        }

        /** Appends a value, keeping earlier ones. */
        public Builder add(String name, String value) {
            Objects.requireNonNull(value, "value");
            TreeMap<String, List<String>> map = writable();
            List<String> list = map.get(name);
            if (list == null) {
                map.put(checkName(name), List.of(value));
            } else {
                List<String> more = new ArrayList<>(list.size() + 1);
                more.addAll(list);
                more.add(value);
                map.put(name, List.copyOf(more));
            }
            return this;
        }

        /** Replaces all values of {@code name} by one. */
        public Builder set(String name, String value) {
            Objects.requireNonNull(value, "value");
            TreeMap<String, List<String>> map = writable();
            map.remove(name); // so the new spelling of the name is kept
            map.put(checkName(name), List.of(value));
            return this;
        }

        public Builder remove(String name) {
            if (values.containsKey(name)) {
                writable().remove(name);
            }
            return this;
        }

        public Headers build() {
            shared = true;
            return new Headers(values);
        }

        private TreeMap<String, List<String>> writable() {
            if (shared) {
                values = new TreeMap<>(values);
                shared = false;
            }
            return values;
        }

        private static String checkName(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isEmpty()) {
                throw new IllegalArgumentException("invalid header name: ''");
            }
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                if (c <= ' ' || c == ':' || c == 0x7f) {
                    throw new IllegalArgumentException("invalid header name: '" + name + "'");
                }
            }
            return name;
        }
    }
}
