package dev.harmony.dicom.frontend;

import dev.harmony.dicom.TransferSyntax;
import dev.harmony.dicom.Uids;
import dev.harmony.dicom.internal.dimse.Command;
import dev.harmony.dicom.internal.dimse.CommandField;
import dev.harmony.dicom.internal.net.AssociateRequest;
import dev.harmony.dicom.internal.net.PDataWriter;
import dev.harmony.dicom.internal.net.PduCodec;
import dev.harmony.dicom.internal.net.PduType;
import dev.harmony.dicom.internal.net.PresentationContext;
import dev.harmony.dicom.internal.net.UserInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;

/** A hand-driven peer on a raw socket, for sending broken or unfinished traffic. */
final class RawPeer implements AutoCloseable {
    /** What arrived: a PDU type and its body, or {@code type == -1} for end of stream. */
    record Pdu(int type, byte[] body) {
    }

    final Socket socket;
    final OutputStream out;
    final InputStream in;

    RawPeer(int port) throws IOException {
        this(new Socket("127.0.0.1", port));
    }

    /** Over a connected socket (e.g. one with small buffers, or TLS). */
    RawPeer(Socket connected) throws IOException {
        socket = connected;
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        out = socket.getOutputStream();
        in = socket.getInputStream();
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The next PDU, or type -1 if the connection was closed. */
    Pdu read() throws IOException {
        byte[] header = in.readNBytes(6);
        if (header.length < 6) {
            return new Pdu(-1, new byte[0]);
        }
        int length = ((header[2] & 0xFF) << 24) | ((header[3] & 0xFF) << 16) | ((header[4] & 0xFF) << 8) | (header[5] & 0xFF);
        return new Pdu(header[0] & 0xFF, in.readNBytes(length));
    }

    /** Whether the server closed the connection (EOF or reset) within the socket timeout. */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    /** Sends an A-ASSOCIATE-RQ for CT storage in explicit VR LE (context 1) and returns the answer. */
    Pdu associate(String calling, String called) throws IOException {
        send(PduCodec.encode(new AssociateRequest(1, called, calling, Uids.APPLICATION_CONTEXT,
                List.of(new PresentationContext(1, Uids.CT_IMAGE_STORAGE,
                        List.of(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid()))),
                new UserInfo(16384, Uids.IMPLEMENTATION_CLASS, null, 0, 0, List.of()))));
        return read();
    }

    /** Sends a C-STORE-RQ command and {@code fragment} as a data PDV that is not the last one. */
    void startStore(String instance, byte[] fragment) throws IOException {
        PDataWriter command = new PDataWriter(out, this, 16384, 1, true);
        command.write(Command.request(CommandField.C_STORE_RQ, 1, Uids.CT_IMAGE_STORAGE, true)
                .setUs(Command.PRIORITY, 0).setUid(Command.AFFECTED_SOP_INSTANCE_UID, instance).encode());
        command.finish();
        // A data PDV without the last-fragment bit: the object is unfinished.
        byte[] pdu = new byte[12 + fragment.length];
        pdu[0] = 4;
        put32(pdu, 2, 6 + fragment.length);
        put32(pdu, 6, 2 + fragment.length);
        pdu[10] = 1;
        pdu[11] = 0;
        System.arraycopy(fragment, 0, pdu, 12, fragment.length);
        send(pdu);
    }

    /** The command of a one-PDV P-DATA-TF answer (a DIMSE response). */
    static Command command(Pdu pdu) throws IOException {
        if (pdu.type() != 4) {
            throw new IOException("expected P-DATA-TF, got PDU type " + pdu.type());
        }
        byte[] b = pdu.body();
        int length = ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
        return Command.decode(java.util.Arrays.copyOfRange(b, 6, 4 + length));
    }

    static void put32(byte[] b, int off, long v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    /** One DIMSE message: its context, command and data set (empty if none). */
    record Message(int context, Command command, byte[] data) {
    }

    /** Reads one whole message from P-DATA-TF PDUs; fails on any other PDU. */
    static Message readMessage(RawPeer peer) throws IOException {
        RawPeer.Pdu[] other = new RawPeer.Pdu[1];
        Message m = nextMessage(peer, other);
        if (other[0] != null) {
            throw new IOException("expected a P-DATA-TF, got PDU type " + other[0].type());
        }
        return m;
    }

    /**
     * Reads one whole message (command and data set) from P-DATA-TF PDUs; if another PDU comes first it
     * goes to {@code other[0]} and the result is null.
     */
    static Message nextMessage(RawPeer peer, RawPeer.Pdu[] other) throws IOException {
        ByteArrayOutputStream command = new ByteArrayOutputStream();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        Command decoded = null;
        while (true) {
            RawPeer.Pdu pdu = peer.read();
            if (pdu.type() != PduType.P_DATA_TF) {
                other[0] = pdu;
                return null;
            }
            byte[] b = pdu.body();
            for (int off = 0; off < b.length; ) {
                int len = ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8)
                        | (b[off + 3] & 0xFF);
                int context = b[off + 4] & 0xFF;
                int flags = b[off + 5];
                (((flags & 1) != 0) ? command : data).write(b, off + 6, len - 2);
                off += 4 + len;
                if ((flags & 1) != 0 && (flags & 2) != 0) {
                    decoded = Command.decode(command.toByteArray());
                    if (!decoded.hasDataSet()) {
                        return new Message(context, decoded, new byte[0]);
                    }
                } else if ((flags & 1) == 0 && (flags & 2) != 0) {
                    return new Message(context, decoded, data.toByteArray());
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
