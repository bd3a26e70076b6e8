package dev.harmony.message;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An immutable set of typed attributes. Adding one returns a new set; the old one is unchanged.
 *
 * <p>Stored as a chain of entries, newest first, so adding one (several times per exchange) copies
 * nothing; sets are small, and a lookup walks a handful of entries.
 */
public final class Attributes {
    private static final Attributes EMPTY = new Attributes(null, null, null, 0);
    /** Past this many entries (a value set over and over) the chain is rebuilt without shadowed ones. */
    private static final int COMPACT_AT = 64;

    private final Attribute<?> key;
    private final Object value;
    private final Attributes next;
    private final int length;

    private Attributes(Attribute<?> key, Object value, Attributes next, int length) {
        this.key = key;
        this.value = value;
        this.next = next;
        this.length = length;
    }

    public static Attributes empty() {
        return EMPTY;
    }

    /** The value for {@code key}, if present. */
    public <T> Optional<T> get(Attribute<T> key) {
        return Optional.ofNullable(key.cast(find(key)));
    }

    /** The value for {@code key}, or an {@link IllegalStateException} naming the key. */
    public <T> T require(Attribute<T> key) {
        return get(key).orElseThrow(() -> new IllegalStateException("attribute '" + key + "' is not set"));
    }

    public boolean contains(Attribute<?> key) {
        return find(key) != null;
    }

    /** A copy with {@code key} set to {@code value}. */
    public <T> Attributes with(Attribute<T> key, T value) {
        Objects.requireNonNull(key, "key");
        Object checked = key.cast(Objects.requireNonNull(value, "value"));
        Attributes base = length >= COMPACT_AT ? compacted() : this;
        return new Attributes(key, checked, base, base.length + 1);
    }

    /** A read-only view, for logging and diagnostics. */
    public Map<Attribute<?>, Object> asMap() {
        Map<Attribute<?>, Object> map = new LinkedHashMap<>();
        for (Attributes a = this; a.key != null; a = a.next) {
            map.putIfAbsent(a.key, a.value); // the newest value wins
        }
        return Collections.unmodifiableMap(map);
    }

    private Object find(Attribute<?> wanted) {
        for (Attributes a = this; a.key != null; a = a.next) {
            if (a.key == wanted) {
                return a.value;
            }
        }
        return null;
    }

    private Attributes compacted() {
        Attributes out = EMPTY;
        for (Map.Entry<Attribute<?>, Object> e : asMap().entrySet()) {
            out = new Attributes(e.getKey(), e.getValue(), out, out.length + 1);
        }
        return out;
    }

    @Override
    public String toString() {
        return asMap().toString();
    }
}
