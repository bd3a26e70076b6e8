package dev.harmony.hl7.internal;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.Version;
import ca.uhn.hl7v2.model.Composite;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.Primitive;
import ca.uhn.hl7v2.model.Segment;
import ca.uhn.hl7v2.model.Structure;
import ca.uhn.hl7v2.model.Type;
import ca.uhn.hl7v2.model.Varies;
import ca.uhn.hl7v2.parser.GenericModelClassFactory;
import ca.uhn.hl7v2.parser.PipeParser;
import ca.uhn.hl7v2.validation.impl.ValidationContextFactory;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.harmony.message.Attribute;
import dev.harmony.pipeline.Rejection;

/**
 * HL7 v2 parsing with HAPI's generic model: any version HAPI knows and any message type, read into
 * segments, fields, repetitions, components and subcomponents with escapes decoded, without binding
 * to one version's message structures (a JSON form that changed shape with each structure definition
 * would be no use to a JOLT spec).
 */
public final class Parsing {
    /** The parsed message, put on the request by the listener so later stages do not parse again. */
    public static final Attribute<Parsed> PARSED = Attribute.of("hl7.parsed", Parsed.class);

    private static final ThreadLocal<PipeParser> PARSER = ThreadLocal.withInitial(() -> {
        @SuppressWarnings("resource") // holds no resources that need closing for parsing
        HapiContext context = new DefaultHapiContext();
        context.setModelClassFactory(new GenericModelClassFactory());
        context.setValidationContext(ValidationContextFactory.noValidation());
        return context.getPipeParser();
    });

    /** A parsed message and its text. */
    public record Parsed(Message message, String text) {
    }

    private Parsing() {
    }

    /**
     * Parses {@code text}, or throws a rejection: UNSUPPORTED for a version HAPI does not know, MALFORMED
     * for anything it cannot read (and for segment names that are not three upper-case letters or digits,
     * which HAPI would accept as custom segments).
     */
    public static Parsed parse(String text, Msh msh) {
        check(text, msh);
        try {
            return new Parsed(PARSER.get().parse(text), text);
        } catch (HL7Exception | RuntimeException e) {
            throw Rejection.malformed("cannot parse the message: " + e.getMessage()).toException();
        }
    }

    /**
     * The checks a listener makes before answering, without the full parse: a readable MSH with a control
     * id and a version HAPI knows, and every line a segment (three upper-case letters or digits, then the
     * field separator). Throws the rejection {@link #parse} would.
     */
    public static void check(String text, Msh msh) {
        if (msh == null) {
            throw Rejection.malformed("not an HL7 v2 message: no MSH segment").toException();
        }
        if (Version.versionOf(msh.version()) == null) {
            throw Rejection.unsupported("HL7 version '" + msh.version() + "' is not supported").toException();
        }
        if (msh.controlId().isEmpty()) {
            throw Rejection.malformed("MSH-10 (message control id) is empty").toException();
        }
        int n = text.length();
        for (int start = 0; start < n; ) {
            int end = start;
            while (end < n && text.charAt(end) != '\r' && text.charAt(end) != '\n') {
                end++;
            }
            if (end > start && !isSegmentStart(text, start, end, msh.fieldSeparator())) {
                throw Rejection.malformed("not a segment: '" + printable(text.substring(start, end)) + "'")
                        .toException();
            }
            start = end + 1;
        }
    }

    /** Three upper-case letters or digits (the first a letter), then the field separator or the line's end. */
    private static boolean isSegmentStart(String text, int start, int end, char sep) {
        if (end - start < 3 || !upperOrDigit(text.charAt(start), false) || !upperOrDigit(text.charAt(start + 1), true)
                || !upperOrDigit(text.charAt(start + 2), true)) {
            return false;
        }
        return end - start == 3 || text.charAt(start + 3) == sep;
    }

    private static boolean upperOrDigit(char c, boolean digitAllowed) {
        return (c >= 'A' && c <= 'Z') || (digitAllowed && c >= '0' && c <= '9');
    }

    private static String printable(String line) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Math.min(20, line.length()); i++) {
            char c = line.charAt(i);
            b.append(c < ' ' || c > '~' ? '?' : c);
        }
        return b.toString();
    }

    /** The JSON form of a parsed message (documented in the README and on {@code Hl7ToJson}). */
    public static ObjectNode toJson(Parsed parsed) throws HL7Exception {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        Message message = parsed.message();
        for (String name : message.getNames()) {
            for (Structure s : message.getAll(name)) {
                if (s instanceof Segment segment) {
                    ArrayNode occurrences = root.withArray(segment.getName());
                    occurrences.add(segment(segment));
                }
            }
        }
        return root;
    }

    private static ObjectNode segment(Segment segment) throws HL7Exception {
        ObjectNode fields = JsonNodeFactory.instance.objectNode();
        for (int i = 1; i <= segment.numFields(); i++) {
            Type[] reps = segment.getField(i);
            ArrayNode out = null;
            for (Type rep : reps) {
                ObjectNode components = repetition(rep);
                if (components.isEmpty() && reps.length == 1) {
                    continue;
                }
                if (out == null) {
                    out = fields.putArray(Integer.toString(i));
                }
                out.add(components);
            }
        }
        return fields;
    }

    private static ObjectNode repetition(Type rep) {
        ObjectNode components = JsonNodeFactory.instance.objectNode();
        Type t = data(rep);
        if (t instanceof Composite c) {
            Type[] comps = c.getComponents();
            for (int i = 0; i < comps.length; i++) {
                component(components, Integer.toString(i + 1), data(comps[i]));
            }
        } else {
            component(components, "1", t);
        }
        return components;
    }

    private static void component(ObjectNode into, String key, Type t) {
        if (t instanceof Composite sub) {
            Type[] subs = sub.getComponents();
            for (int i = 0; i < subs.length; i++) {
                String value = value(data(subs[i]));
                if (value != null) {
                    into.put(i == 0 ? key : key + "." + (i + 1), value);
                }
            }
        } else {
            String value = value(t);
            if (value != null) {
                into.put(key, value);
            }
        }
    }

    private static String value(Type t) {
        if (t instanceof Primitive p) {
            String v = p.getValue();
            return v == null || v.isEmpty() ? null : v;
        }
        return null;
    }

    private static Type data(Type t) {
        return t instanceof Varies v ? v.getData() : t;
    }
}
