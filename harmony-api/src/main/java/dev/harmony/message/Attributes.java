package dev.harmony.message;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** An immutable set of typed attributes. Adding one returns a new set; the old one is unchanged. */
public final class Attributes {
    private static final Attributes EMPTY = new Attributes(Collections.emptyMap());

    private final Map<Attribute<?>, Object> values;

    private Attributes(Map<Attribute<?>, Object> values) {
        this.values = values;
    }

    public static Attributes empty() {
        return EMPTY;
    }

    /** The value for {@code key}, if present. */
    public <T> Optional<T> get(Attribute<T> key) {
        return Optional.ofNullable(key.cast(values.get(key)));
    }

    /** The value for {@code key}, or an {@link IllegalStateException} naming the key. */
    public <T> T require(Attribute<T> key) {
        return get(key).orElseThrow(() -> new IllegalStateException("attribute '" + key + "' is not set"));
    }

    public boolean contains(Attribute<?> key) {
        return values.containsKey(key);
    }

    /** A copy with {@code key} set to {@code value}. */
    public <T> Attributes with(Attribute<T> key, T value) {
        Objects.requireNonNull(key, "key");
        Map<Attribute<?>, Object> copy = new IdentityHashMap<>(values);
        copy.put(key, key.cast(Objects.requireNonNull(value, "value")));
        return new Attributes(Collections.unmodifiableMap(copy));
    }

    /** A read-only view, for logging and diagnostics. */
    public Map<Attribute<?>, Object> asMap() {
        return values;
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
