package dev.harmony.dicom.internal.dimse;

import dev.harmony.dicom.DicomFormatException;
import dev.harmony.dicom.internal.codec.ElementHeader;
import dev.harmony.dicom.internal.codec.ElementReader;
import dev.harmony.dicom.internal.codec.ElementWriter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * A DIMSE command set (group 0000, always implicit VR little endian; PS3.7 section 9.3 and E.1).
 * Values are kept raw; typed accessors read and write them.
 */
public final class Command {
    public static final int AFFECTED_SOP_CLASS_UID = 0x0000_0002;
    public static final int COMMAND_FIELD = 0x0000_0100;
    public static final int MESSAGE_ID = 0x0000_0110;
    public static final int MESSAGE_ID_BEING_RESPONDED_TO = 0x0000_0120;
    public static final int MOVE_DESTINATION = 0x0000_0600;
    public static final int PRIORITY = 0x0000_0700;
    public static final int COMMAND_DATA_SET_TYPE = 0x0000_0800;
    public static final int STATUS = 0x0000_0900;
    public static final int ERROR_COMMENT = 0x0000_0902;
    public static final int AFFECTED_SOP_INSTANCE_UID = 0x0000_1000;
    public static final int NUMBER_OF_REMAINING_SUBOPERATIONS = 0x0000_1020;
    public static final int NUMBER_OF_COMPLETED_SUBOPERATIONS = 0x0000_1021;
    public static final int NUMBER_OF_FAILED_SUBOPERATIONS = 0x0000_1022;
    public static final int NUMBER_OF_WARNING_SUBOPERATIONS = 0x0000_1023;
    public static final int MOVE_ORIGINATOR_AE_TITLE = 0x0000_1030;
    public static final int MOVE_ORIGINATOR_MESSAGE_ID = 0x0000_1031;

    /** Command Data Set Type value meaning "no data set follows". */
    public static final int NO_DATA_SET = 0x0101;
    private static final int GROUP_LENGTH = 0x0000_0000;

    private final TreeMap<Integer, byte[]> values = new TreeMap<>();

    private Command() {
    }

    /** An empty command of {@code field}; add elements with the setters. */
    public static Command of(int field) {
        return new Command().setUs(COMMAND_FIELD, field);
    }

    /** A request command with a message id and affected SOP class. */
    public static Command request(int field, int messageId, String sopClass, boolean withDataSet) {
        return of(field).setUid(AFFECTED_SOP_CLASS_UID, sopClass).setUs(MESSAGE_ID, messageId)
                .setUs(COMMAND_DATA_SET_TYPE, withDataSet ? 0x0000 : NO_DATA_SET);
    }

    /** The response to {@code rq} with {@code status}: same SOP class and instance, no data set. */
    public static Command responseTo(Command rq, int status) {
        Command rsp = of(rq.commandField() | 0x8000).setUs(MESSAGE_ID_BEING_RESPONDED_TO, rq.messageId())
                .setUs(COMMAND_DATA_SET_TYPE, NO_DATA_SET).setUs(STATUS, status);
        rq.string(AFFECTED_SOP_CLASS_UID).ifPresent(v -> rsp.setUid(AFFECTED_SOP_CLASS_UID, v));
        rq.string(AFFECTED_SOP_INSTANCE_UID).ifPresent(v -> rsp.setUid(AFFECTED_SOP_INSTANCE_UID, v));
        return rsp;
    }

    /** Parses an implicit VR little endian command set. */
    public static Command decode(byte[] encoded) throws DicomFormatException {
        Command c = new Command();
        ElementReader reader = new ElementReader(new ByteArrayInputStream(encoded), false, false);
        try {
            for (ElementHeader h = reader.next(); h != null; h = reader.next()) {
                if ((h.tag() >>> 16) != 0 || h.undefinedLength() || h.length() > encoded.length) {
                    throw new DicomFormatException("command set holds a non-command element");
                }
                byte[] v = new ByteArrayInputStream(encoded, (int) reader.position(), (int) h.length()).readAllBytes();
                if (v.length != h.length()) {
                    throw new DicomFormatException("command element value is truncated");
                }
                reader.skipValue(h);
                c.values.put(h.tag(), v);
            }
        } catch (DicomFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new DicomFormatException("command set is truncated");
        }
        if (!c.values.containsKey(COMMAND_FIELD)) {
            throw new DicomFormatException("command set has no Command Field (0000,0100)");
        }
        return c;
    }

    /** The command set with its group length, implicit VR little endian. */
    public byte[] encode() {
        ElementWriter body = ElementWriter.implicitLittleEndian();
        for (Map.Entry<Integer, byte[]> e : values.entrySet()) {
            if (e.getKey() != GROUP_LENGTH) {
                body.bytes(e.getKey(), "", e.getValue());
            }
        }
        byte[] elements = body.toByteArray();
        byte[] length = ElementWriter.implicitLittleEndian().ul(GROUP_LENGTH, elements.length).toByteArray();
        byte[] out = new byte[length.length + elements.length];
        System.arraycopy(length, 0, out, 0, length.length);
        System.arraycopy(elements, 0, out, length.length, elements.length);
        return out;
    }

    public int commandField() {
        return us(COMMAND_FIELD).orElse(0);
    }

    public int messageId() {
        return us(MESSAGE_ID).orElse(0);
    }

    public int status() {
        return us(STATUS).orElse(0);
    }

    public boolean hasDataSet() {
        return us(COMMAND_DATA_SET_TYPE).orElse(NO_DATA_SET) != NO_DATA_SET;
    }

    public OptionalInt us(int tag) {
        byte[] v = values.get(tag);
        return v == null || v.length < 2 ? OptionalInt.empty() : OptionalInt.of((v[0] & 0xFF) | ((v[1] & 0xFF) << 8));
    }

    /** A text or UID value without padding. */
    public Optional<String> string(int tag) {
        byte[] v = values.get(tag);
        if (v == null) {
            return Optional.empty();
        }
        int end = v.length;
        while (end > 0 && (v[end - 1] == 0 || v[end - 1] == ' ')) {
            end--;
        }
        return Optional.of(new String(v, 0, end, StandardCharsets.US_ASCII).trim());
    }

    public Command setUs(int tag, int value) {
        values.put(tag, new byte[] {(byte) value, (byte) (value >>> 8)});
        return this;
    }

    public Command setUid(int tag, String uid) {
        return setPadded(tag, uid, (byte) 0);
    }

    /** A space-padded text value (AE, LO...), cut to {@code maxLength} characters. */
    public Command setText(int tag, String text, int maxLength) {
        String cut = text.length() > maxLength ? text.substring(0, maxLength) : text;
        return setPadded(tag, cut.replaceAll("[^\\x20-\\x7E]", "?").replace('\\', '/'), (byte) ' ');
    }

    private Command setPadded(int tag, String s, byte pad) {
        byte[] raw = s.getBytes(StandardCharsets.US_ASCII);
        byte[] v = raw.length % 2 == 0 ? raw : java.util.Arrays.copyOf(raw, raw.length + 1);
        if (v.length != raw.length) {
            v[raw.length] = pad;
        }
        values.put(tag, v);
        return this;
    }

    @Override
    public String toString() {
        return CommandField.name(commandField()) + "(id " + us(MESSAGE_ID).orElse(us(MESSAGE_ID_BEING_RESPONDED_TO)
                .orElse(0)) + ")";
    }
}
