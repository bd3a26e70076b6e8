package dev.harmony.http.internal.client;

import dev.harmony.message.Body;
import java.nio.ByteBuffer;

/**
 * A request body on its way upstream: either held whole (written with the head in one go, and may be
 * sent again on a fresh connection) or a one-shot {@link Body.Source} streamed as it arrives, which is
 * never read twice.
 */
public final class OutgoingBody {
    /** Content-Length, or {@link EventLoopRequestHead#CHUNKED}. */
    final long length;
    private final byte[] whole;
    private Body.Source source;

    private OutgoingBody(long length, byte[] whole, Body.Source source) {
        this.length = length;
        this.whole = whole;
        this.source = source;
    }

    public static OutgoingBody whole(byte[] bytes) {
        return new OutgoingBody(bytes.length, bytes, null);
    }

    /** @param length the declared length, or -1 (then it goes chunked) */
    public static OutgoingBody streamed(Body.Source source, long length) {
        return new OutgoingBody(length < 0 ? EventLoopRequestHead.CHUNKED : length, null, source);
    }

    boolean isWhole() {
        return whole != null;
    }

    /** A fresh view of the whole body for each attempt. */
    ByteBuffer wholeBuffer() {
        return ByteBuffer.wrap(whole);
    }

    /** The source, handed out once. */
    Body.Source takeSource() {
        Body.Source once = source;
        source = null;
        return once;
    }
}
