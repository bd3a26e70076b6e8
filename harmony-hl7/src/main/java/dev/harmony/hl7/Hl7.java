package dev.harmony.hl7;

import dev.harmony.message.Attribute;
import dev.harmony.message.Protocol;

/** The HL7 v2 protocol, its content type and the attributes an {@code MllpListener} puts on each request. */
public final class Hl7 {
    /** HL7 v2 messages over MLLP (a byte 0x0B, the message, bytes 0x1C 0x0D). */
    public static final Protocol MLLP = new Protocol("MLLP");
    /** The content type of a request body holding one HL7 v2 message in its pipe-and-hat (ER7) encoding. */
    public static final String ER7 = "application/hl7-v2";

    /** MSH-9 as {@code type^event}, e.g. {@code ADT^A01} (also the request's operation). */
    public static final Attribute<String> MESSAGE_TYPE = Attribute.of("hl7.message-type", String.class);
    /** MSH-10, the message control id the ACK's MSA-2 repeats. */
    public static final Attribute<String> CONTROL_ID = Attribute.of("hl7.control-id", String.class);
    /** MSH-12, the version id, e.g. {@code 2.5.1}. */
    public static final Attribute<String> VERSION = Attribute.of("hl7.version", String.class);
    /** MSH-3, the sending application. */
    public static final Attribute<String> SENDING_APPLICATION = Attribute.of("hl7.sending-application", String.class);
    /** MSH-4, the sending facility. */
    public static final Attribute<String> SENDING_FACILITY = Attribute.of("hl7.sending-facility", String.class);

    private Hl7() {
    }
}
