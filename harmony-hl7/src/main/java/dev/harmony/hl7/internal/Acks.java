package dev.harmony.hl7.internal;

import dev.harmony.message.Response;
import dev.harmony.pipeline.Rejection;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one place where a pipeline's answer becomes an HL7 v2 acknowledgement, and where a peer's ACK
 * becomes a rejection kind again. The listener's mapping:
 *
 * <pre>
 *  answer                                                   MSA-1 original (enhanced)  ERR-3 (table 0357)
 *  -------------------------------------------------------  -------------------------  ------------------
 *  success                                                  AA (CA)
 *  MALFORMED (unparseable, broken framing)                  AR (CR)                    102 data type error
 *  UNSUPPORTED, NOT_IMPLEMENTED, METHOD_NOT_ALLOWED         AR (CR)                    200 unsupported message type
 *  PAYLOAD_TOO_LARGE (over the listener's size limit)       AR (CR)                    207 application internal error
 *  CONFLICT                                                 AE (CE)                    205 duplicate key identifier
 *  every other kind (INVALID, store or upstream failure...) AE (CE)                    207 application internal error
 * </pre>
 *
 * <p>The ACK's MSH mirrors the message's: sending application and facility (MSH-3/4) become the ACK's
 * receiving ones (MSH-5/6) and the other way round; processing id and version are kept; MSH-9 is
 * {@code ACK^<event>^ACK}. MSA-2 is always the message's MSH-10. A negative ACK carries an ERR segment
 * (ERR-3, -4 and -8 from version 2.5 on, ERR-1 before) and the reason in MSA-3.
 *
 * <p>Enhanced mode (MSH-15 or MSH-16 present) answers with the commit codes CA/CE/CR as MSH-15 asks:
 * {@code AL} (or empty) always, {@code NE} never, {@code ER} only on an error, {@code SU} only on success.
 * The commit is sent once the pipeline has answered, so a CA means the message is where the pipeline
 * put it (stored, queued). Application-level acknowledgements (MSH-16) are not sent: a listener has no
 * way back to the sender other than this connection.
 */
public final class Acks {
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyyMMddHHmmssZ", Locale.ROOT);
    private static final AtomicLong IDS = new AtomicLong(System.currentTimeMillis());

    private Acks() {
    }

    /** An acknowledgement code of MSA-1. */
    public enum Code {
        /** Application accept. */
        AA,
        /** Application error. */
        AE,
        /** Application reject. */
        AR,
        /** Commit accept (enhanced mode). */
        CA,
        /** Commit error (enhanced mode). */
        CE,
        /** Commit reject (enhanced mode). */
        CR;

        /** The enhanced-mode counterpart of an original-mode code. */
        Code commit() {
            return switch (this) {
                case AA, CA -> CA;
                case AE, CE -> CE;
                case AR, CR -> CR;
            };
        }

        /** Whether this code says the message was taken. */
        public boolean accepted() {
            return this == AA || this == CA;
        }
    }

    /** The original-mode code for a rejection kind (see the table above). */
    public static Code codeOf(Rejection.Kind kind) {
        return switch (kind) {
            case MALFORMED, UNSUPPORTED, NOT_IMPLEMENTED, METHOD_NOT_ALLOWED, PAYLOAD_TOO_LARGE -> Code.AR;
            default -> Code.AE;
        };
    }

    /** The HL7 table 0357 error code ERR-3 carries for a rejection kind. */
    static String errorCodeOf(Rejection.Kind kind) {
        return switch (kind) {
            case MALFORMED -> "102^Data type error";
            case UNSUPPORTED, NOT_IMPLEMENTED, METHOD_NOT_ALLOWED -> "200^Unsupported message type";
            case CONFLICT -> "205^Duplicate key identifier";
            default -> "207^Application internal error";
        };
    }

    /**
     * The rejection kind for a negative ACK from a peer (an MLLP destination), for the delivery queue's
     * one classification: AR/CR (the peer will never take this message) and AE/CE (the peer found an
     * error in it) are permanent; connection errors and ACK timeouts, which the forwarder reports as
     * {@code UPSTREAM_UNAVAILABLE} and {@code UPSTREAM_TIMEOUT}, are retried.
     */
    public static Rejection.Kind kindOf(Code code) {
        return switch (code) {
            case AA, CA -> throw new IllegalArgumentException(code + " is not a rejection");
            case AR, CR -> Rejection.Kind.UNSUPPORTED;
            case AE, CE -> Rejection.Kind.INVALID;
        };
    }

    /**
     * The ACK for {@code response} to the message with header {@code msh} (null: its header could not be
     * read, so MSA-2 stays empty and the delimiters are the defaults), or null when enhanced mode's
     * MSH-15 says not to answer.
     *
     * @param self the sending application/facility to use when the message did not name a receiver
     */
    public static String forResponse(Msh msh, Response response, String self) {
        Rejection rejection = response.rejection().orElse(null);
        if (rejection == null && !response.isSuccess()) {
            rejection = Rejection.of(kindOfStatus(response.status()), "answered status " + response.status());
        }
        return build(msh, rejection, self);
    }

    /** The ACK for a message the listener refused itself, before the pipeline (see {@link #forResponse}). */
    public static String forRejection(Msh msh, Rejection rejection, String self) {
        return build(msh, rejection, self);
    }

    private static Rejection.Kind kindOfStatus(int status) {
        for (Rejection.Kind k : Rejection.Kind.values()) {
            if (k.status() == status) {
                return k;
            }
        }
        return Rejection.Kind.INTERNAL;
    }

    private static String build(Msh in, Rejection rejection, String self) {
        Msh m = in == null ? Msh.DEFAULT : in;
        Code code = rejection == null ? Code.AA : codeOf(rejection.kind());
        boolean enhanced = in != null && (!m.component(15, 1).isEmpty() || !m.component(16, 1).isEmpty());
        if (enhanced) {
            String when = m.component(15, 1);
            boolean send = switch (when) {
                case "NE" -> false;
                case "ER" -> rejection != null;
                case "SU" -> rejection == null;
                default -> true;
            };
            if (!send) {
                return null;
            }
            code = code.commit();
        }
        char f = m.fieldSeparator();
        String version = m.version().isEmpty() ? "2.5" : m.field(12);
        String receivingApp = m.field(5).isEmpty() ? self : m.field(5);
        StringBuilder b = new StringBuilder(256);
        b.append("MSH").append(f).append(m.encodingCharacters())
                .append(f).append(receivingApp).append(f).append(m.field(6))
                .append(f).append(m.field(3)).append(f).append(m.field(4))
                .append(f).append(ZonedDateTime.now(ZoneOffset.UTC).format(TS))
                .append(f)
                .append(f).append("ACK").append(m.componentSeparator()).append(m.component(9, 2))
                .append(m.componentSeparator()).append("ACK")
                .append(f).append("A").append(Long.toString(IDS.incrementAndGet(), 36).toUpperCase(Locale.ROOT))
                .append(f).append(m.field(11).isEmpty() ? "P" : m.field(11))
                .append(f).append(version)
                .append('\r');
        b.append("MSA").append(f).append(code).append(f).append(m.controlId());
        if (rejection != null) {
            String text = m.escape(truncate(rejection.message(), 80));
            b.append(f).append(text).append('\r');
            String err = errorCodeOf(rejection.kind()).replace('^', m.componentSeparator());
            b.append("ERR").append(f);
            if (before25(m.version())) {
                char sub = m.subcomponentSeparator();
                b.append(m.componentSeparator()).append(m.componentSeparator()).append(m.componentSeparator())
                        .append(err.replace(m.componentSeparator(), sub)).append(sub).append("HL70357");
            } else {
                b.append(f).append(f).append(err).append(m.componentSeparator()).append("HL70357")
                        .append(f).append('E').append(f).append(f).append(f).append(f)
                        .append(m.escape(truncate(rejection.message(), 250)));
            }
        }
        b.append('\r');
        return b.toString();
    }

    private static boolean before25(String version) {
        return version.startsWith("2.1") || version.startsWith("2.2") || version.startsWith("2.3")
                || version.startsWith("2.4");
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }

    /** Reads MSA-1 of an ACK, or null if the text has no MSA segment with a known code. */
    static Code code(String value) {
        try {
            return Code.valueOf(value);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The code and MSA-2 of an acknowledgement's text, or null if it is not one.
     *
     * @param code MSA-1
     * @param controlId MSA-2, raw
     * @param text MSA-3 or ERR-8 if present, raw
     */
    public record Received(Code code, String controlId, String text) {
        /** Reads an ACK; null if it has no readable MSH and MSA. */
        public static Received parse(String ack) {
            Msh msh = Msh.read(ack);
            if (msh == null) {
                return null;
            }
            var msa = msh.segment(ack, "MSA");
            if (msa == null || msa.size() < 3) {
                return null;
            }
            Code c = Acks.code(msa.get(1));
            if (c == null) {
                return null;
            }
            String text = msa.size() > 3 ? msa.get(3) : "";
            var err = msh.segment(ack, "ERR");
            if (err != null && err.size() > 8 && !err.get(8).isEmpty()) {
                text = err.get(8);
            }
            return new Received(c, msa.get(2), text);
        }
    }
}
