package dev.harmony.http;

import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A set of OAuth2 scopes, understanding SMART on FHIR wildcards: a granted {@code patient/*.read}
 * satisfies a required {@code patient/Observation.read}, and {@code patient/*.*} any patient scope.
 */
public final class Scopes {
    private static final Scopes NONE = new Scopes(Set.of());

    private final Set<String> granted;

    private Scopes(Set<String> granted) {
        this.granted = Set.copyOf(granted);
    }

    /** No scopes. */
    public static Scopes none() {
        return NONE;
    }

    /** Scopes from a space-separated string such as {@code "openid patient/*.read"}. */
    public static Scopes parse(String spaceSeparated) {
        if (spaceSeparated == null || spaceSeparated.isBlank()) {
            return NONE;
        }
        return of(Arrays.asList(spaceSeparated.strip().split("\\s+")));
    }

    public static Scopes of(Collection<String> scopes) {
        return new Scopes(new LinkedHashSet<>(scopes));
    }

    /** The scopes as granted, without wildcard expansion. */
    public Set<String> asSet() {
        return granted;
    }

    /** Whether {@code required} is granted literally or through a SMART wildcard. */
    public boolean satisfies(String required) {
        if (granted.contains(required)) {
            return true;
        }
        Smart want = Smart.parse(required);
        if (want == null) {
            return false;
        }
        for (String g : granted) {
            Smart have = Smart.parse(g);
            if (have != null && have.covers(want)) {
                return true;
            }
        }
        return false;
    }

    /** {@code context/resource.permission}, e.g. {@code patient/*.read}. */
    private record Smart(String context, String resource, String permission) {
        static Smart parse(String scope) {
            int slash = scope.indexOf('/');
            int dot = scope.lastIndexOf('.');
            if (slash <= 0 || dot <= slash + 1 || dot == scope.length() - 1) {
                return null;
            }
            return new Smart(scope.substring(0, slash), scope.substring(slash + 1, dot), scope.substring(dot + 1));
        }

        boolean covers(Smart want) {
            return context.equals(want.context)
                    && (resource.equals("*") || resource.equals(want.resource))
                    && (permission.equals("*") || permission.equals(want.permission));
        }
    }

    @Override
    public String toString() {
        return String.join(" ", granted);
    }
}
