package dev.harmony.dicom.internal.dimse;

import dev.harmony.dicom.DicomFormatException;
import dev.harmony.dicom.internal.net.AbortReason;
import dev.harmony.dicom.internal.net.AbortedException;
import dev.harmony.dicom.internal.net.PduReader;
import dev.harmony.dicom.internal.net.PduType;
import dev.harmony.dicom.internal.net.ProtocolViolation;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;

/** Reads what comes next on an established association: a DIMSE message or an A-RELEASE PDU. */
public final class MessageReader {
    /** The largest command set accepted; real ones are a few hundred bytes. */
    private static final int MAX_COMMAND = 64 * 1024;

    /** What {@link #next()} found. */
    public sealed interface Event permits Message, ReleaseRequest, ReleaseResponse, End {
    }

    /**
     * A DIMSE message.
     *
     * @param context the presentation context id
     * @param command the command set
     * @param data the data set stream, or null if the command says none follows
     */
    public record Message(int context, Command command, DataStream data) implements Event {
    }

    /** The peer asked to release the association. */
    public record ReleaseRequest() implements Event {
    }

    /** The peer confirmed our release request. */
    public record ReleaseResponse() implements Event {
    }

    /** The connection ended between messages. */
    public record End() implements Event {
    }

    private final PduReader pdus;
    private final byte[] chunk = new byte[4096];

    public MessageReader(PduReader pdus) {
        this.pdus = pdus;
    }

    public Event next() throws IOException {
        ByteArrayOutputStream command = null;
        int context = -1;
        while (true) {
            int type = pdus.next();
            switch (type) {
                case PduReader.END -> {
                    if (command != null) {
                        throw new EOFException("peer closed the connection in the middle of a command");
                    }
                    return new End();
                }
                case PduReader.PDV -> {
                    if (!pdus.pdvCommand()) {
                        throw new ProtocolViolation(AbortReason.UNEXPECTED_PDU_PARAMETER, "data PDV without a command");
                    }
                    if (command == null) {
                        command = new ByteArrayOutputStream(256);
                        context = pdus.pdvContext();
                    } else if (context != pdus.pdvContext()) {
                        throw new ProtocolViolation(AbortReason.UNEXPECTED_PDU_PARAMETER,
                                "command fragments of different presentation contexts");
                    }
                    for (int n = pdus.readPdv(chunk, 0, chunk.length); n > 0; n = pdus.readPdv(chunk, 0, chunk.length)) {
                        command.write(chunk, 0, n);
                        if (command.size() > MAX_COMMAND) {
                            throw new ProtocolViolation(AbortReason.INVALID_PDU_PARAMETER_VALUE, "command set too large");
                        }
                    }
                    if (pdus.pdvLast()) {
                        Command c;
                        try {
                            c = Command.decode(command.toByteArray());
                        } catch (DicomFormatException e) {
                            throw new ProtocolViolation(AbortReason.INVALID_PDU_PARAMETER_VALUE,
                                    "undecodable command set: " + e.getMessage());
                        }
                        return new Message(context, c, c.hasDataSet() ? new DataStream(pdus, context) : null);
                    }
                }
                case PduType.RELEASE_RQ -> {
                    requireNoCommand(command, type);
                    return new ReleaseRequest();
                }
                case PduType.RELEASE_RP -> {
                    requireNoCommand(command, type);
                    return new ReleaseResponse();
                }
                case PduType.ABORT -> throw AbortedException.fromPdu(pdus.controlBody());
                default -> throw new ProtocolViolation(AbortReason.UNEXPECTED_PDU,
                        PduType.name(type) + " on an established association");
            }
        }
    }

    private static void requireNoCommand(ByteArrayOutputStream command, int type) throws ProtocolViolation {
        if (command != null) {
            throw new ProtocolViolation(AbortReason.UNEXPECTED_PDU, PduType.name(type) + " in the middle of a command");
        }
    }
}
