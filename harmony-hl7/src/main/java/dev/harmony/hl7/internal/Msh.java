package dev.harmony.hl7.internal;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The header of an HL7 v2 message read straight from its text, without the full parser: enough to
 * answer (even an unparseable message gets an ACK that names its control id) and to route. Field values
 * are kept raw (still escaped), so they can be mirrored into an ACK using the same delimiters.
 *
 * @param fieldSeparator MSH-1
 * @param encodingCharacters MSH-2 (component, repetition, escape, subcomponent separators)
 * @param fields MSH fields, index n holding MSH-n (0 and 1 unused)
 */
public record Msh(char fieldSeparator, String encodingCharacters, List<String> fields) {
    /** The delimiters HL7 recommends, for answers to a message whose header cannot be read. */
    public static final Msh DEFAULT = new Msh('|', "^~\\&", List.of("", "|", "^~\\&"));

    /**
     * Reads the MSH segment at the start of {@code text} (leading line breaks allowed), or returns null
     * if there is none or its delimiters are unusable.
     */
    public static Msh read(String text) {
        int start = 0;
        while (start < text.length() && (text.charAt(start) == '\r' || text.charAt(start) == '\n')) {
            start++;
        }
        if (!text.startsWith("MSH", start) || text.length() < start + 8) {
            return null;
        }
        char sep = text.charAt(start + 3);
        int end = start + 4;
        while (end < text.length() && text.charAt(end) != '\r' && text.charAt(end) != '\n') {
            end++;
        }
        String line = text.substring(start, end);
        int encEnd = line.indexOf(sep, 4);
        String enc = encEnd < 0 ? line.substring(4) : line.substring(4, encEnd);
        if (enc.length() < 4 || Character.isLetterOrDigit(sep) || sep <= ' ' || !distinct(sep, enc.substring(0, 4))) {
            return null;
        }
        List<String> fields = new ArrayList<>();
        fields.add("");
        fields.add(String.valueOf(sep));
        fields.add(enc);
        if (encEnd >= 0) {
            fields.addAll(split(line.substring(encEnd + 1), sep));
        }
        return new Msh(sep, enc, List.copyOf(fields));
    }

    /** Reads the header from raw bytes (its delimiters and fields are ASCII in every charset HL7 allows). */
    public static Msh read(byte[] bytes) {
        int n = Math.min(bytes.length, 4096);
        return read(new String(bytes, 0, n, StandardCharsets.ISO_8859_1));
    }

    /**
     * Reads the header of a message that was cut off (broken framing, over the size limit): a last field
     * not followed by a separator or line end may be incomplete, so it is left out.
     */
    public static Msh readCut(byte[] bytes) {
        Msh msh = read(bytes);
        if (msh == null) {
            return null;
        }
        String head = new String(bytes, 0, Math.min(bytes.length, 4096), StandardCharsets.ISO_8859_1);
        if (head.indexOf('\r') >= 0 || head.indexOf('\n') >= 0 || msh.fields.size() <= 3) {
            return msh;
        }
        return new Msh(msh.fieldSeparator, msh.encodingCharacters, msh.fields.subList(0, msh.fields.size() - 1));
    }

    private static boolean distinct(char sep, String enc) {
        for (int i = 0; i < enc.length(); i++) {
            char c = enc.charAt(i);
            if (c == sep || Character.isLetterOrDigit(c) || c <= ' ' || enc.indexOf(c) != i) {
                return false;
            }
        }
        return true;
    }

    /** {@code text} split at every {@code sep}, keeping empty parts. */
    public static List<String> split(String text, char sep) {
        List<String> parts = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == sep) {
                parts.add(text.substring(from, i));
                from = i + 1;
            }
        }
        parts.add(text.substring(from));
        return parts;
    }

    public char componentSeparator() {
        return encodingCharacters.charAt(0);
    }

    public char repetitionSeparator() {
        return encodingCharacters.charAt(1);
    }

    public char escapeCharacter() {
        return encodingCharacters.charAt(2);
    }

    public char subcomponentSeparator() {
        return encodingCharacters.charAt(3);
    }

    /** MSH-n raw, or empty. */
    public String field(int n) {
        return n < fields.size() ? fields.get(n) : "";
    }

    /** Component {@code c} (1-based) of the first repetition of MSH-n, raw, or empty. */
    public String component(int n, int c) {
        String f = field(n);
        int rep = f.indexOf(repetitionSeparator());
        List<String> comps = split(rep < 0 ? f : f.substring(0, rep), componentSeparator());
        return c <= comps.size() ? comps.get(c - 1) : "";
    }

    public String controlId() {
        return field(10);
    }

    /** MSH-9 as {@code type^event} (always with {@code ^}), e.g. {@code ADT^A01}; {@code ^} if absent. */
    public String messageType() {
        return component(9, 1) + "^" + component(9, 2);
    }

    public String version() {
        return component(12, 1);
    }

    /**
     * The charset named by MSH-18, or {@code fallback}: the values HL7 defines for ISO 8859-1 and
     * UTF-8 (the only ones an answer needs to round-trip).
     */
    public Charset charset(Charset fallback) {
        return switch (component(18, 1)) {
            case "UNICODE UTF-8" -> StandardCharsets.UTF_8;
            case "8859/1" -> StandardCharsets.ISO_8859_1;
            case "ASCII" -> StandardCharsets.US_ASCII;
            default -> fallback;
        };
    }

    /** {@code text} escaped for a field under these delimiters (line breaks become spaces). */
    public String escape(String text) {
        StringBuilder b = new StringBuilder(text.length() + 8);
        char esc = escapeCharacter();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == esc) {
                b.append(esc).append('E').append(esc);
            } else if (c == fieldSeparator) {
                b.append(esc).append('F').append(esc);
            } else if (c == componentSeparator()) {
                b.append(esc).append('S').append(esc);
            } else if (c == repetitionSeparator()) {
                b.append(esc).append('R').append(esc);
            } else if (c == subcomponentSeparator()) {
                b.append(esc).append('T').append(esc);
            } else if (c == '\r' || c == '\n') {
                b.append(' ');
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** The fields of the first segment named {@code name} in {@code text} (index 0 holds the name), or null. */
    public List<String> segment(String text, String name) {
        for (String line : text.split("[\r\n]+")) {
            if (line.startsWith(name) && (line.length() == name.length() || line.charAt(name.length()) == fieldSeparator)) {
                return split(line, fieldSeparator);
            }
        }
        return null;
    }
}
