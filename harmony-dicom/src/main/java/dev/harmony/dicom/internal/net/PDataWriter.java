package dev.harmony.dicom.internal.net;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Streams one command or data set as P-DATA-TF PDUs of one PDV each, never larger than the peer's
 * max PDU length. A full PDU is only sent once more bytes follow, so the last fragment is flagged
 * correctly; {@link #finish()} sends it. Each PDU goes out in one write under the connection's lock.
 */
public final class PDataWriter extends OutputStream {
    private static final int HEADER = 12;
    /** What we send when the peer announces no limit (0). */
    private static final long UNLIMITED_CHUNK = 1 << 20;

    private final OutputStream out;
    private final Object writeLock;
    private final int context;
    private final boolean command;
    private final byte[] buf;
    private final int capacity;
    private int count;
    private boolean finished;

    /** Sends a short value (a command set) in as few PDUs as the peer allows, without a full-size buffer. */
    public static void sendAll(OutputStream out, Object writeLock, long peerMaxPdu, int context, boolean command,
            byte[] value) throws IOException {
        PDataWriter w = new PDataWriter(out, writeLock, Math.min(peerMaxPdu == 0 ? Long.MAX_VALUE : peerMaxPdu,
                value.length + 6L), context, command);
        w.write(value);
        w.finish();
    }

    /**
     * @param peerMaxPdu the max PDU length the peer announced (0 = unlimited)
     * @param context the presentation context id
     * @param command true for a command set, false for a data set
     */
    public PDataWriter(OutputStream out, Object writeLock, long peerMaxPdu, int context, boolean command) {
        this.out = out;
        this.writeLock = writeLock;
        this.context = context;
        this.command = command;
        long max = peerMaxPdu == 0 ? UNLIMITED_CHUNK : Math.min(peerMaxPdu, UNLIMITED_CHUNK);
        this.capacity = (int) Math.max(max - 6, 8);
        this.buf = new byte[HEADER + capacity];
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (finished) {
            throw new IOException("P-DATA stream already finished");
        }
        while (len > 0) {
            if (count == capacity) {
                send(false);
            }
            int n = Math.min(len, capacity - count);
            System.arraycopy(b, off, buf, HEADER + count, n);
            count += n;
            off += n;
            len -= n;
        }
    }

    /** Sends the buffered bytes as the last fragment. */
    public void finish() throws IOException {
        if (!finished) {
            send(true);
            finished = true;
        }
    }

    private void send(boolean last) throws IOException {
        buf[0] = PduType.P_DATA_TF;
        buf[1] = 0;
        put32(2, 6 + count);
        put32(6, 2 + count);
        buf[10] = (byte) context;
        buf[11] = (byte) ((command ? 1 : 0) | (last ? 2 : 0));
        synchronized (writeLock) {
            out.write(buf, 0, HEADER + count);
            out.flush();
        }
        count = 0;
    }

    private void put32(int off, long v) {
        buf[off] = (byte) (v >>> 24);
        buf[off + 1] = (byte) (v >>> 16);
        buf[off + 2] = (byte) (v >>> 8);
        buf[off + 3] = (byte) v;
    }
}
