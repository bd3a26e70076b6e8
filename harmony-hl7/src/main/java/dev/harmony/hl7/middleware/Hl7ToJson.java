package dev.harmony.hl7.middleware;

import ca.uhn.hl7v2.HL7Exception;
import dev.harmony.hl7.Hl7;
import dev.harmony.hl7.internal.Msh;
import dev.harmony.hl7.internal.Parsing;
import dev.harmony.message.Body;
import dev.harmony.message.Protocol;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Middleware;
import dev.harmony.pipeline.Rejection;
import dev.harmony.pipeline.RejectionException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Replaces an HL7 v2 body by its JSON form, for JSON stages (JOLT, JSON schema) after it. The form is
 * regular, so a JOLT spec can address any value by position with no custom code:
 *
 * <pre>{@code
 * {
 *   "MSH": [ { "1": [{"1": "|"}], "2": [{"1": "^~\\&"}], "3": [{"1": "ADMIT"}], "9": [{"1": "ADT", "2": "A01"}], ... } ],
 *   "PID": [ { "3": [ {"1": "12345", "4": "ST-MARYS", "4.2": "1.2.3", "4.3": "ISO", "5": "MR"},
 *                    {"1": "999-99-9999", "4": "SSA", "5": "SS"} ],
 *              "5": [ {"1": "Doe", "2": "John", "3": "Q"} ], "7": [ {"1": "19800101"} ] } ]
 * }
 * }</pre>
 *
 * <ul>
 *   <li>one key per segment name, holding an array of its occurrences in message order;</li>
 *   <li>an occurrence maps field numbers ({@code "3"}) to an array of repetitions, even when there is
 *       one; empty fields are left out;</li>
 *   <li>a repetition maps component numbers ({@code "1"}) to strings; a component with subcomponents
 *       keeps the first under its own number and the m-th under {@code "n.m"} ({@code "4.2"}), so
 *       {@code "4"} is a string whether or not the sender used subcomponents;</li>
 *   <li>escape sequences ({@code \F\ \S\ \T\ \R\ \E\}) are decoded; empty components are left out.</li>
 * </ul>
 *
 * <p>A body that is not a readable HL7 v2 message is rejected as {@code MALFORMED} (an MLLP listener
 * answers AR). The listener's parse is reused when present; otherwise the body is parsed here.
 */
public final class Hl7ToJson implements Middleware {
    private final Charset charset;

    private Hl7ToJson(Builder b) {
        this.charset = b.charset;
    }

    /** Starts configuring the stage. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Set<Protocol> protocols() {
        return Set.of(Hl7.MLLP);
    }

    @Override
    public Description describe() {
        return new Description("HL7 v2 to JSON", "segments · fields · components");
    }

    @Override
    public Response intercept(Chain chain) throws Exception {
        Request request = chain.request();
        Parsing.Parsed parsed;
        try {
            parsed = request.attribute(Parsing.PARSED).orElse(null);
            if (parsed == null) {
                byte[] bytes = request.body().bytes();
                Msh msh = Msh.read(bytes);
                Charset cs = msh == null ? charset : msh.charset(charset);
                parsed = Parsing.parse(new String(bytes, cs), msh);
            }
        } catch (RejectionException e) {
            return Response.rejected(e.rejection());
        }
        Body json;
        try {
            json = Body.ofJson(Parsing.toJson(parsed));
        } catch (HL7Exception e) {
            return Response.rejected(Rejection.malformed("cannot read the message: " + e.getMessage()));
        }
        return chain.proceed(request.withBody(json));
    }

    /** Configures an {@link Hl7ToJson}. */
    public static final class Builder {
        private Charset charset = StandardCharsets.UTF_8;

        private Builder() {
        }

        /**
         * The charset of a message whose MSH-18 names none, when this stage parses it itself (the
         * listener's parse, when present, already used the listener's). Default UTF-8.
         */
        public Builder charset(Charset value) {
            this.charset = java.util.Objects.requireNonNull(value, "Hl7ToJson.charset");
            return this;
        }

        public Hl7ToJson build() {
            return new Hl7ToJson(this);
        }
    }
}
