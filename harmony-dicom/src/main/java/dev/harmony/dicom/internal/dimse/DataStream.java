package dev.harmony.dicom.internal.dimse;

import dev.harmony.dicom.internal.net.AbortReason;
import dev.harmony.dicom.internal.net.AbortedException;
import dev.harmony.dicom.internal.net.ChannelInput;
import dev.harmony.dicom.internal.net.PduReader;
import dev.harmony.dicom.internal.net.PduType;
import dev.harmony.dicom.internal.net.ProtocolViolation;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * A data set read straight from the data PDVs of one presentation context until the last fragment.
 * Nothing is buffered beyond the reader's socket buffer. A failure (abort, vanished peer, protocol
 * violation) is remembered, so the association can tell a dead connection from a refusing backend.
 * What a reader of the stream gets for it is a {@link SenderGoneException}: the sender's doing, not a
 * fault of the stage that was reading, so the pipeline records a rejection instead of an internal error.
 * {@link #close()} does not touch the connection.
 */
public final class DataStream extends InputStream {
    private final PduReader pdus;
    private final int context;
    private boolean started;
    private boolean lastFragment;
    private boolean ended;
    private IOException failure;
    private SenderGoneException thrown;
    private long bytes;

    DataStream(PduReader pdus, int context) {
        this.pdus = pdus;
        this.context = context;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (failure != null) {
            throw thrown;
        }
        try {
            while (true) {
                if (ended) {
                    return -1;
                }
                if (started && pdus.pdvRemaining() > 0) {
                    int n = pdus.readPdv(b, off, len);
                    bytes += n;
                    return n;
                }
                if (started && lastFragment) {
                    ended = true;
                    return -1;
                }
                advance();
            }
        } catch (IOException e) {
            throw failed(e);
        }
    }

    private SenderGoneException failed(IOException e) {
        failure = e;
        thrown = new SenderGoneException(e);
        return thrown;
    }

    /**
     * Writes the rest of the data set to {@code target} without passing it through the Java heap when
     * the association reads from a channel. A failure of the target is thrown as is and does not mark
     * this stream as failed.
     *
     * @return the number of bytes written
     */
    public long transferTo(java.nio.channels.WritableByteChannel target) throws IOException {
        if (failure != null) {
            throw thrown;
        }
        long total = 0;
        try {
            while (!ended) {
                if (started && pdus.pdvRemaining() > 0) {
                    long n = pdus.transferPdv(target, Long.MAX_VALUE);
                    bytes += n;
                    total += n;
                } else if (started && lastFragment) {
                    ended = true;
                } else {
                    advance();
                }
            }
            return total;
        } catch (ChannelInput.SinkException e) {
            throw e.sinkFailure();
        } catch (IOException e) {
            throw failed(e);
        }
    }

    private void advance() throws IOException {
        int type = pdus.next();
        switch (type) {
            case PduReader.PDV -> {
                if (pdus.pdvCommand()) {
                    throw new ProtocolViolation(AbortReason.UNEXPECTED_PDU_PARAMETER,
                            "command PDV inside a data set");
                }
                if (pdus.pdvContext() != context) {
                    throw new ProtocolViolation(AbortReason.UNEXPECTED_PDU_PARAMETER,
                            "data PDV of context " + pdus.pdvContext() + " inside a data set of context " + context);
                }
                started = true;
                lastFragment = pdus.pdvLast();
            }
            case PduReader.END -> throw new EOFException("peer closed the connection in the middle of a data set");
            case PduType.ABORT -> throw AbortedException.fromPdu(pdus.controlBody());
            default -> throw new ProtocolViolation(AbortReason.UNEXPECTED_PDU,
                    PduType.name(type) + " in the middle of a data set");
        }
    }

    /** Reads and discards the rest, so the next message can be read. */
    public void drain() throws IOException {
        if (ended) {
            return;
        }
        byte[] sink = new byte[8192];
        while (read(sink, 0, sink.length) >= 0) {
            // discard
        }
    }

    /** Whether the last fragment was read completely. */
    public boolean complete() {
        return ended;
    }

    /** The failure that broke this stream (as the connection raised it, not wrapped), or null. */
    public IOException failure() {
        return failure;
    }

    /** Data set bytes read so far. */
    public long bytesRead() {
        return bytes;
    }

    @Override
    public void close() {
        // The connection outlives the data set; the association drains what the consumer left.
    }
}
