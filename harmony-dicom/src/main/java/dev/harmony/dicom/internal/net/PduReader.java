package dev.harmony.dicom.internal.net;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads PDUs from a connection and splits P-DATA-TF PDUs into PDVs whose values are read on demand,
 * so a data set flows through without being assembled in memory. Every length is checked before it
 * is trusted; a violation raises {@link ProtocolViolation} with the A-ABORT reason to send.
 */
public final class PduReader {
    /** {@link #next()} found a PDV; read its value with {@link #readPdv}. */
    public static final int PDV = 0;
    /** {@link #next()} met the end of the connection between PDUs. */
    public static final int END = -1;

    private final InputStream in;
    private final long maxPDataLength;
    private final int maxControlLength;
    private final byte[] header = new byte[6];
    private long pduRemaining;
    private long pdvRemaining;
    private int pdvContext;
    private boolean pdvCommand;
    private boolean pdvLast;
    private byte[] controlBody;

    /**
     * @param maxPDataLength the max PDU length we announced (0 = unlimited); longer P-DATA-TF PDUs are violations
     * @param maxControlLength the largest other PDU we accept (association PDUs are small)
     */
    public PduReader(InputStream in, long maxPDataLength, int maxControlLength) {
        this.in = in;
        this.maxPDataLength = maxPDataLength;
        this.maxControlLength = maxControlLength;
    }

    /**
     * Advances to the next PDV or PDU. Returns {@link #PDV}, {@link #END}, or the type of another PDU whose
     * body is then available from {@link #controlBody()}.
     */
    public int next() throws IOException {
        if (pdvRemaining > 0) {
            throw new IllegalStateException("the current PDV has " + pdvRemaining + " unread bytes");
        }
        if (pduRemaining > 0) {
            readPdvHeader();
            return PDV;
        }
        int type = in.read();
        if (type < 0) {
            return END;
        }
        header[0] = (byte) type;
        readFully(header, 1, 5);
        long length = u32(header, 2);
        if (!PduType.isKnown(type)) {
            throw new ProtocolViolation(AbortReason.UNRECOGNIZED_PDU, PduType.name(type));
        }
        if (type == PduType.P_DATA_TF) {
            if (maxPDataLength > 0 && length > maxPDataLength) {
                throw new ProtocolViolation(AbortReason.INVALID_PDU_PARAMETER_VALUE, "P-DATA-TF of " + length
                        + " bytes exceeds the negotiated maximum of " + maxPDataLength);
            }
            pduRemaining = length;
            readPdvHeader();
            return PDV;
        }
        if (length > maxControlLength) {
            throw new ProtocolViolation(AbortReason.INVALID_PDU_PARAMETER_VALUE,
                    PduType.name(type) + " of " + length + " bytes is larger than " + maxControlLength);
        }
        controlBody = new byte[(int) length];
        readFully(controlBody, 0, controlBody.length);
        return type;
    }

    private void readPdvHeader() throws IOException {
        if (pduRemaining < 6) {
            throw new ProtocolViolation(AbortReason.INVALID_PDU_PARAMETER_VALUE, "P-DATA-TF ends inside a PDV header");
        }
        readFully(header, 0, 6);
        long length = u32(header, 0);
        if (length < 2 || length + 4 > pduRemaining) {
            throw new ProtocolViolation(AbortReason.INVALID_PDU_PARAMETER_VALUE,
                    "PDV length " + length + " does not fit its P-DATA-TF");
        }
        pduRemaining -= 4 + length;
        pdvRemaining = length - 2;
        pdvContext = header[4] & 0xFF;
        pdvCommand = (header[5] & 0x01) != 0;
        pdvLast = (header[5] & 0x02) != 0;
    }

    /** Reads up to {@code len} bytes of the current PDV's value; -1 once it is used up. */
    public int readPdv(byte[] b, int off, int len) throws IOException {
        if (pdvRemaining == 0) {
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, pdvRemaining));
        if (n < 0) {
            throw new EOFException("connection closed inside a PDV (" + pdvRemaining + " bytes missing)");
        }
        pdvRemaining -= n;
        return n;
    }

    /**
     * Writes up to {@code max} bytes of the current PDV's value to {@code target}; -1 once it is used up.
     * From a {@link ChannelInput} the bytes go from its buffer straight to the target channel.
     *
     * @throws ChannelInput.SinkException if writing to {@code target} fails
     */
    public long transferPdv(java.nio.channels.WritableByteChannel target, long max) throws IOException {
        if (pdvRemaining == 0) {
            return -1;
        }
        long wanted = Math.min(max, pdvRemaining);
        long n;
        if (in instanceof ChannelInput channelInput) {
            n = channelInput.transferTo(target, wanted);
        } else {
            byte[] chunk = new byte[(int) Math.min(wanted, 65536)];
            n = in.read(chunk, 0, chunk.length);
            if (n > 0) {
                try {
                    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(chunk, 0, (int) n);
                    while (b.hasRemaining()) {
                        target.write(b);
                    }
                } catch (IOException e) {
                    throw new ChannelInput.SinkException(e);
                }
            }
        }
        if (n < 0) {
            throw new EOFException("connection closed inside a PDV (" + pdvRemaining + " bytes missing)");
        }
        pdvRemaining -= n;
        return n;
    }

    /** Skips the rest of the current PDV's value. */
    public void skipPdv() throws IOException {
        byte[] sink = new byte[(int) Math.min(pdvRemaining, 65536)];
        while (pdvRemaining > 0) {
            readPdv(sink, 0, sink.length);
        }
    }

    public long pdvRemaining() {
        return pdvRemaining;
    }

    public int pdvContext() {
        return pdvContext;
    }

    public boolean pdvCommand() {
        return pdvCommand;
    }

    public boolean pdvLast() {
        return pdvLast;
    }

    /** The body of the last non-P-DATA PDU. */
    public byte[] controlBody() {
        return controlBody;
    }

    private void readFully(byte[] b, int off, int len) throws IOException {
        if (in.readNBytes(b, off, len) < len) {
            throw new EOFException("connection closed inside a PDU header");
        }
    }

    private static long u32(byte[] b, int off) {
        return ((long) (b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8)
                | (b[off + 3] & 0xFF);
    }
}
