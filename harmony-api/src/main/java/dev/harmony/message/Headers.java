package dev.harmony.message;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Immutable, multi-valued, case-insensitive headers, in the order their names were first added.
 * Names keep the spelling they were first added with; lookups ignore case.
 *
 * <p>Kept as a short list of fields scanned in order: messages carry a dozen headers or so, for
 * which that beats any map (this sits on every request's path).
 */
public final class Headers {
    private static final Headers EMPTY = new Headers(List.of());

    /** One name with its values; the list is immutable. */
    private record Field(String name, List<String> values) {
    }

    private final List<Field> fields;
    private Map<String, List<String>> map; // built on first asMap(); racy but idempotent

    private Headers(List<Field> fields) {
        this.fields = fields;
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
        return new Builder(new ArrayList<>());
    }

    /** The first value of {@code name}. */
    public Optional<String> first(String name) {
        int i = indexOf(fields, name);
        return i < 0 ? Optional.empty() : Optional.of(fields.get(i).values().get(0));
    }

    /** All values of {@code name}, in order; empty if absent. */
    public List<String> all(String name) {
        int i = indexOf(fields, name);
        return i < 0 ? List.of() : fields.get(i).values();
    }

    public boolean contains(String name) {
        return indexOf(fields, name) >= 0;
    }

    public Set<String> names() {
        return asMap().keySet(); // the keys of an unmodifiable map, in order
    }

    public boolean isEmpty() {
        return fields.isEmpty();
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
        return new Builder(new ArrayList<>(fields)); // fields are immutable; only the list is copied
    }

    /** Calls {@code action} with every name and its values, in order (without building a map). */
    public void forEach(BiConsumer<String, List<String>> action) {
        fields.forEach(f -> action.accept(f.name(), f.values()));
    }

    /** Every name with its values, in order, for iteration. */
    public Map<String, List<String>> asMap() {
        Map<String, List<String>> m = map;
        if (m == null) {
            Map<String, List<String>> built = new LinkedHashMap<>();
            fields.forEach(f -> built.put(f.name(), f.values()));
            m = Collections.unmodifiableMap(built);
            map = m;
        }
        return m;
    }

    @Override
    public String toString() {
        return asMap().toString();
    }

    private static int indexOf(List<Field> fields, String name) {
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).name().equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    /** Collects headers; {@link #build()} freezes them. */
    public static final class Builder {
        private List<Field> fields;
        /** Set by build(): the list now belongs to a Headers, so the next change works on a copy. */
        private boolean shared;

        private Builder(List<Field> fields) {
            this.fields = fields;
        }

        /** Appends a value, keeping earlier ones. */
        public Builder add(String name, String value) {
            Objects.requireNonNull(value, "value");
            List<Field> list = writable();
            int i = indexOf(list, Objects.requireNonNull(name, "name"));
            if (i < 0) {
                list.add(new Field(checkName(name), List.of(value)));
            } else {
                List<String> more = new ArrayList<>(list.get(i).values());
                more.add(value);
                list.set(i, new Field(list.get(i).name(), List.copyOf(more)));
            }
            return this;
        }

        /** Replaces all values of {@code name} by one (and its spelling by this one). */
        public Builder set(String name, String value) {
            Objects.requireNonNull(value, "value");
            List<Field> list = writable();
            Field field = new Field(checkName(name), List.of(value));
            int i = indexOf(list, name);
            if (i < 0) {
                list.add(field);
            } else {
                list.set(i, field);
            }
            return this;
        }

        public Builder remove(String name) {
            int i = indexOf(fields, name);
            if (i >= 0) {
                writable().remove(i);
            }
            return this;
        }

        public Headers build() {
            shared = true;
            return new Headers(Collections.unmodifiableList(fields));
        }

        private List<Field> writable() {
            if (shared) {
                fields = new ArrayList<>(fields);
                shared = false;
            }
            return fields;
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
