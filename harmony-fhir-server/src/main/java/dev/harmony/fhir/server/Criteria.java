package dev.harmony.fhir.server;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;

/**
 * The search parameters the embedded server understands, as one AND-ed list of (name, OR-ed values).
 * Used both by REST searches and by conditional creates ({@code ifNoneExist}), so both match alike.
 *
 * <p>Supported: {@code _id}; {@code identifier} ({@code system|value}, {@code value}, {@code system|});
 * Patient {@code family} and {@code name} (case-insensitive prefix, as FHIR string search);
 * Observation {@code subject} / {@code patient} ({@code Patient/1} or {@code 1}).
 */
final class Criteria {
    /** Parameters that shape the result rather than filter it; ignored when matching. */
    private static final Set<String> RESULT_PARAMETERS = Set.of("_count", "_sort", "_format", "_pretty", "_summary",
            "_elements", "_total");

    private record Param(String name, List<String> anyOf) {
    }

    private final List<Param> params;

    private Criteria(List<Param> params) {
        this.params = List.copyOf(params);
    }

    static Criteria all() {
        return new Criteria(List.of());
    }

    /** Adds {@code name=value} (value may be null: then nothing is added). */
    Criteria and(String name, String value) {
        if (value == null || value.isEmpty()) {
            return this;
        }
        checkSupported(name);
        List<Param> more = new ArrayList<>(params);
        more.add(new Param(name, List.of(value.split(","))));
        return new Criteria(more);
    }

    /**
     * Parses a FHIR search query such as {@code identifier=http://x|123&family=Doe}; a leading
     * {@code Type?} (as some clients put in {@code ifNoneExist}) is allowed.
     *
     * @throws InvalidRequestException (400) for a parameter this server cannot match
     */
    static Criteria parse(String query) {
        String q = query.contains("?") ? query.substring(query.indexOf('?') + 1) : query;
        Criteria c = all();
        for (String pair : q.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (!RESULT_PARAMETERS.contains(name)) {
                if (value.isEmpty()) {
                    throw new InvalidRequestException("search parameter '" + name + "' has no value");
                }
                c = c.and(name, value);
            }
        }
        if (c.params.isEmpty()) {
            throw new InvalidRequestException("conditional criteria '" + query + "' contain no search parameter");
        }
        return c;
    }

    boolean matches(Resource r) {
        for (Param p : params) {
            if (p.anyOf().stream().noneMatch(v -> matches(r, p.name(), v))) {
                return false;
            }
        }
        return true;
    }

    private static boolean matches(Resource r, String name, String value) {
        return switch (name) {
            case "_id" -> r.getIdElement().getIdPart().equals(value);
            case "identifier" -> identifiers(r).stream().anyMatch(i -> tokenMatches(i, value));
            case "family" -> r instanceof Patient p
                    && p.getName().stream().anyMatch(n -> startsWith(n.getFamily(), value));
            case "name" -> r instanceof Patient p && p.getName().stream().anyMatch(n -> nameMatches(n, value));
            case "subject", "patient" -> r instanceof Observation o && referenceMatches(o.getSubject(), value);
            default -> false;
        };
    }

    private static List<Identifier> identifiers(Resource r) {
        if (r instanceof Patient p) {
            return p.getIdentifier();
        }
        if (r instanceof Observation o) {
            return o.getIdentifier();
        }
        return List.of();
    }

    private static boolean tokenMatches(Identifier identifier, String token) {
        int bar = token.indexOf('|');
        if (bar < 0) {
            return token.equals(identifier.getValue());
        }
        String system = token.substring(0, bar);
        String code = token.substring(bar + 1);
        boolean systemOk = system.isEmpty() ? !identifier.hasSystem() : system.equals(identifier.getSystem());
        return systemOk && (code.isEmpty() || code.equals(identifier.getValue()));
    }

    private static boolean nameMatches(HumanName n, String value) {
        if (startsWith(n.getFamily(), value) || startsWith(n.getText(), value)) {
            return true;
        }
        for (StringType given : n.getGiven()) {
            if (startsWith(given.getValue(), value)) {
                return true;
            }
        }
        return false;
    }

    private static boolean referenceMatches(Reference ref, String value) {
        String target = ref.getReference();
        if (target == null) {
            return false;
        }
        return target.equals(value) || target.equals("Patient/" + value);
    }

    private static boolean startsWith(String text, String prefix) {
        return text != null && text.toLowerCase(Locale.ROOT).startsWith(prefix.toLowerCase(Locale.ROOT));
    }

    private static void checkSupported(String name) {
        if (!Set.of("_id", "identifier", "family", "name", "subject", "patient").contains(name)) {
            throw new InvalidRequestException("search parameter '" + name + "' is not supported by this server");
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
