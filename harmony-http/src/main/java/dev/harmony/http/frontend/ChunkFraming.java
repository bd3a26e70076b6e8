package dev.harmony.http.frontend;

import java.nio.ByteBuffer;

/**
 * Checks the chunked framing of a request body exactly as RFC 9112 section 7.1 writes it, byte by
 * byte as it arrives, alongside Undertow's own decoder, which is lenient: it skips whatever follows a
 * chunk's data up to the next LF (so data longer than its declared size goes unnoticed), takes a
 * bare LF for CRLF and a size line without hex digits for the last chunk. Each of those lets two
 * parsers disagree on where a body ends, so each is an error here. Stops looking at the end of the
 * body: what follows is the next request.
 */
final class ChunkFraming {
    private static final int SIZE_FIRST = 0;
    private static final int SIZE = 1;
    private static final int EXTENSION = 2;
    private static final int SIZE_LF = 3;
    private static final int DATA = 4;
    private static final int DATA_CR = 5;
    private static final int DATA_LF = 6;
    private static final int TRAILER_START = 7;
    private static final int TRAILER = 8;
    private static final int TRAILER_LF = 9;
    private static final int END_LF = 10;
    private static final int DONE = 11;
    /** A chunk-size line (size and extensions) longer than this is refused. */
    private static final int MAX_LINE = 4096;

    private final int maxTrailerBytes;
    private int state = SIZE_FIRST;
    private long left;
    private int digits;
    private int line;
    private int trailerBytes;
    private String problem;

    ChunkFraming(int maxTrailerBytes) {
        this.maxTrailerBytes = maxTrailerBytes;
    }

    boolean done() {
        return state == DONE;
    }

    /** What is wrong with the framing, once {@link #feed} found something. */
    String problem() {
        return problem;
    }

    /**
     * Looks at bytes {@code from} (inclusive) to {@code to} (exclusive) of {@code buf}, without moving
     * its position.
     *
     * @return -1 while the framing is fine, else the index of the first byte that breaks it (see {@link #problem})
     */
    int feed(ByteBuffer buf, int from, int to) {
        int i = from;
        while (i < to && state != DONE) {
            if (state == DATA) {
                int n = (int) Math.min(left, to - i);
                i += n;
                left -= n;
                if (left == 0) {
                    state = DATA_CR;
                }
                continue;
            }
            problem = step(buf.get(i));
            if (problem != null) {
                return i;
            }
            i++;
        }
        return -1;
    }

    private String step(byte b) {
        switch (state) {
            case SIZE_FIRST -> {
                int d = Character.digit(b, 16);
                if (d < 0) {
                    return "a chunk size must be hexadecimal";
                }
                left = d;
                digits = 1;
                line = 1;
                state = SIZE;
            }
            case SIZE -> {
                int d = Character.digit(b, 16);
                if (d >= 0) {
                    if (++digits > 15) {
                        return "a chunk size is too large";
                    }
                    left = left * 16 + d;
                    line++;
                } else if (b == ';' || b == ' ' || b == '\t') {
                    state = EXTENSION;
                } else if (b == '\r') {
                    state = SIZE_LF;
                } else {
                    return b == '\n' ? "chunk framing must end lines with CRLF" : "a chunk size must be hexadecimal";
                }
            }
            case EXTENSION -> {
                if (b == '\r') {
                    state = SIZE_LF;
                } else if (b == '\n') {
                    return "chunk framing must end lines with CRLF";
                } else if ((b < 0x20 && b != '\t') || b == 0x7f) {
                    return "a chunk extension must not contain control characters";
                } else if (++line > MAX_LINE) {
                    return "a chunk size line is too long";
                }
            }
            case SIZE_LF -> {
                if (b != '\n') {
                    return "chunk framing must end lines with CRLF";
                }
                state = left == 0 ? TRAILER_START : DATA;
            }
            case DATA_CR -> {
                if (b != '\r') {
                    return "chunk data is longer than its declared size";
                }
                state = DATA_LF;
            }
            case DATA_LF -> {
                if (b != '\n') {
                    return "chunk data is longer than its declared size";
                }
                state = SIZE_FIRST;
            }
            case TRAILER_START, TRAILER -> {
                if (b == '\r') {
                    state = state == TRAILER_START ? END_LF : TRAILER_LF;
                } else if (b == '\n') {
                    return "chunk framing must end lines with CRLF";
                } else if (++trailerBytes > maxTrailerBytes) {
                    return "the trailer section is larger than " + maxTrailerBytes + " bytes";
                } else {
                    state = TRAILER;
                }
            }
            case TRAILER_LF, END_LF -> {
                if (b != '\n') {
                    return "chunk framing must end lines with CRLF";
                }
                state = state == END_LF ? DONE : TRAILER_START;
            }
            default -> throw new IllegalStateException("state " + state);
        }
        return null;
    }
}
