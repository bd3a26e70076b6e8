package dev.harmony.message;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.harmony.pipeline.Rejection;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A message body: empty, bytes, a one-shot stream or non-blocking {@link Source}, a file on disk, or a
 * parsed JSON tree.
 *
 * <p>Bodies stream by default. Converting to bytes, text or JSON buffers the content once (never more
 * than {@link #limit()} bytes, else a {@code payloadTooLarge} rejection) and caches the result, so a
 * JSON body is parsed once however many stages read it. A body belongs to one exchange and is not
 * thread-safe.
 */
public final class Body {
    /** The default buffering limit: 16 MiB. Frontends set their own from configuration. */
    public static final long DEFAULT_LIMIT = 16L * 1024 * 1024;
    /** The content type of JSON bodies created from a tree. */
    public static final String JSON = "application/json";

    private static final Body EMPTY = new Body(null, DEFAULT_LIMIT, null, 0, null, new byte[0], null, null);

    /**
     * A body that arrives without blocking a thread (a network upload, say). Each {@link #read} is answered
     * by one call on its {@link Reader}, at once or later on another thread. A read asked for from inside
     * {@link Reader#onData} is never answered nested in that call, on its stack, so a reader may ask for
     * the next piece from its callback however long the body. The source applies its own
     * limits and timeouts (reported through {@link Reader#onError}).
     */
    public interface Source {
        void read(Reader reader);

        /** The rest is not wanted; the source releases what holds it open. No read follows. */
        void cancel();
    }

    /** The answer to one {@link Source#read}: bytes (never none, valid until the next read), the end, or why not. */
    public interface Reader {
        void onData(ByteBuffer data);

        void onEnd();

        void onError(Throwable failure);
    }

    private final String contentType;
    private final long limit;
    private InputStream stream;
    private Source source;
    private final long declaredLength;
    private final Path file;
    private byte[] bytes;
    private JsonNode json;

    private Body(String contentType, long limit, InputStream stream, long declaredLength, Path file, byte[] bytes,
            JsonNode json, Source source) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0: " + limit);
        }
        this.contentType = contentType;
        this.limit = limit;
        this.stream = stream;
        this.declaredLength = declaredLength;
        this.file = file;
        this.bytes = bytes;
        this.json = json;
        this.source = source;
    }

    public static Body empty() {
        return EMPTY;
    }

    public static Body ofBytes(byte[] bytes, String contentType) {
        return new Body(contentType, DEFAULT_LIMIT, null, bytes.length, null, bytes.clone(), null, null);
    }

    public static Body ofText(String text, String contentType) {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        return new Body(contentType, DEFAULT_LIMIT, null, data.length, null, data, null, null);
    }

    /**
     * A body read from {@code in} at most once.
     *
     * @param length the length if known in advance, else -1
     */
    public static Body ofStream(InputStream in, long length, String contentType) {
        return new Body(contentType, DEFAULT_LIMIT, Objects.requireNonNull(in, "in"), length, null, null, null, null);
    }

    /**
     * A body read from {@code source} at most once, without blocking ({@link #source()}) or through a
     * blocking {@link #stream()} (never from an event loop's thread: it waits for the source).
     *
     * @param length the length if known in advance, else -1
     */
    public static Body ofSource(Source source, long length, String contentType) {
        return new Body(contentType, DEFAULT_LIMIT, null, length, null, null, null,
                Objects.requireNonNull(source, "source"));
    }

    /** A body backed by a file that stays on disk; it can be read any number of times. */
    public static Body ofFile(Path file, String contentType) {
        return new Body(contentType, DEFAULT_LIMIT, null, -1, Objects.requireNonNull(file, "file"), null, null, null);
    }

    /** A JSON body from an already parsed tree; serialised only if a stage asks for bytes. */
    public static Body ofJson(JsonNode tree) {
        return new Body(JSON, DEFAULT_LIMIT, null, -1, null, null, Objects.requireNonNull(tree, "tree"), null);
    }

    /** The same content with another buffering limit. The old body must not be used afterwards. */
    public Body withLimit(long newLimit) {
        return new Body(contentType, newLimit, stream, declaredLength, file, bytes, json, source);
    }

    /** The same content with another content type. The old body must not be used afterwards. */
    public Body withContentType(String newContentType) {
        return new Body(newContentType, limit, stream, declaredLength, file, bytes, json, source);
    }

    public Optional<String> contentType() {
        return Optional.ofNullable(contentType);
    }

    /** The most bytes a conversion to bytes, text or JSON buffers. */
    public long limit() {
        return limit;
    }

    /** The length in bytes if known without reading, else -1. */
    public long length() {
        if (bytes != null) {
            return bytes.length;
        }
        if (file != null) {
            try {
                return Files.size(file);
            } catch (IOException e) {
                return -1;
            }
        }
        return declaredLength;
    }

    public boolean isEmpty() {
        return length() == 0;
    }

    /** Whether {@link #stream()} may be called more than once. */
    public boolean isRepeatable() {
        return stream == null && source == null;
    }

    /**
     * The non-blocking source of a {@link #ofSource source body}, handed out once (as {@link #stream()}
     * is); empty for every other body, and once handed out.
     */
    public Optional<Source> source() {
        Source once = source;
        source = null;
        return Optional.ofNullable(once);
    }

    /** The file behind this body, if it is file-backed. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** Whether the content is already held as a parsed JSON tree. */
    public boolean isParsedJson() {
        return json != null;
    }

    /**
     * The content as a stream. A stream body hands out its stream once; buffer it first with
     * {@link #bytes()} if several stages need to read it.
     */
    public InputStream stream() {
        if (bytes != null) {
            return new ByteArrayInputStream(bytes);
        }
        if (file != null) {
            try {
                return Files.newInputStream(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (json != null) {
            return new ByteArrayInputStream(bytes());
        }
        if (source != null) {
            stream = new SourceStream(source);
            source = null;
        }
        if (stream == null) {
            throw new IllegalStateException("body stream already consumed; call bytes() first to read it twice");
        }
        InputStream once = stream;
        stream = null;
        return once;
    }

    /** The content as bytes, buffered once and cached. Over {@link #limit()}: a payloadTooLarge rejection. */
    public byte[] bytes() {
        if (bytes == null) {
            if (json != null) {
                try {
                    bytes = Json.mapper().writeValueAsBytes(json);
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException("cannot serialise JSON body", e);
                }
            } else {
                long known = length();
                if (known > limit) {
                    throw tooLarge();
                }
                try (InputStream in = stream()) {
                    byte[] read = in.readNBytes((int) Math.min(limit + 1, Integer.MAX_VALUE - 8));
                    if (read.length > limit) {
                        throw tooLarge();
                    }
                    bytes = read;
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read body", e);
                }
            }
        }
        return bytes;
    }

    /**
     * The content as text in the charset of the content type (UTF-8 if none is given). A charset this
     * JVM does not know is an {@code unsupported} (415) rejection, never a silent guess.
     */
    public String text() {
        Charset declared = declaredCharset();
        return new String(bytes(), declared == null ? StandardCharsets.UTF_8 : declared);
    }

    /**
     * The content as a JSON tree, parsed once and cached. Not JSON: a malformed rejection. A declared
     * charset is honoured (e.g. {@code charset=ISO-8859-1}); without one the parser detects UTF-8/16/32.
     * A charset this JVM does not know: an {@code unsupported} (415) rejection.
     */
    public JsonNode json() {
        if (json == null) {
            byte[] data = bytes();
            Charset declared = declaredCharset();
            try {
                // The parser detects the UTFs by itself, from bytes (the fast path); others are decoded first.
                JsonNode parsed = declared == null || declared.name().startsWith("UTF-")
                        ? Json.mapper().readTree(data) : Json.mapper().readTree(new String(data, declared));
                if (parsed == null || parsed.isMissingNode()) {
                    throw Rejection.malformed("request body is empty, expected JSON").toException();
                }
                json = parsed;
            } catch (IOException e) {
                throw Rejection.malformed("request body is not valid JSON: " + Json.describe(e)).toException();
            }
        }
        return json;
    }

    /** Copies the content to {@code out} without buffering it whole. */
    public long writeTo(OutputStream out) throws IOException {
        if (bytes != null || json != null) {
            byte[] data = bytes();
            out.write(data);
            return data.length;
        }
        try (InputStream in = stream()) {
            return in.transferTo(out);
        }
    }

    /** The {@code charset} parameter of the content type, or null if none is given. */
    private Charset declaredCharset() {
        if (contentType == null || contentType.indexOf(';') < 0) {
            return null;
        }
        for (String part : contentType.split(";")) {
            String p = part.strip();
            if (p.regionMatches(true, 0, "charset=", 0, 8)) {
                String name = p.substring(8).replace("\"", "").strip();
                try {
                    return Charset.forName(name);
                } catch (IllegalArgumentException e) {
                    throw Rejection.unsupported("the body's charset '" + shown(name) + "' is not supported"
                            + " (UTF-8, UTF-16, ISO-8859-1, windows-1252... are)").toException();
                }
            }
        }
        return null;
    }

    /** A client-chosen name, short and printable, for an error message. */
    private static String shown(String name) {
        String cut = name.length() > 40 ? name.substring(0, 40) + "..." : name;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }

    private RuntimeException tooLarge() {
        return Rejection.payloadTooLarge("body exceeds the limit of " + limit + " bytes").toException();
    }

    @Override
    public String toString() {
        String kind = bytes != null ? "bytes" : file != null ? "file" : json != null ? "json"
                : source != null ? "source" : "stream";
        return "Body[" + kind + ", " + (contentType == null ? "no type" : contentType) + ", length " + length() + "]";
    }

    /** A source read with blocking reads: each waits for the source's one answer (bytes, END or a failure). */
    private static final class SourceStream extends InputStream implements Reader {
        private static final Object END = new Object();
        private final Source source;
        private ByteBuffer data = ByteBuffer.allocate(0);
        private Object answer = data;

        SourceStream(Source source) {
            this.source = source;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
        }

        @Override
        public synchronized int read(byte[] into, int offset, int length) throws IOException {
            while (!data.hasRemaining() && answer instanceof ByteBuffer) {
                answer = null;
                source.read(this);
                while (answer == null) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        source.cancel();
                        answer = new java.io.InterruptedIOException("interrupted while waiting for the body");
                    }
                }
            }
            if (answer instanceof RuntimeException r) {
                throw r; // a rejection (too large, too slow) stays one
            } else if (answer instanceof Throwable t) {
                throw t instanceof IOException io ? io : new IOException(t);
            }
            int n = Math.min(length, data.remaining());
            data.get(into, offset, n);
            return n == 0 && length > 0 ? -1 : n;
        }

        private synchronized void answer(Object a) {
            data = a instanceof ByteBuffer b ? b : ByteBuffer.allocate(0); // the source may reuse the last one
            answer = a;
            notifyAll();
        }

        @Override
        public void onData(ByteBuffer bytes) {
            answer(bytes);
        }

        @Override
        public void onEnd() {
            answer(END);
        }

        @Override
        public void onError(Throwable failure) {
            answer(failure);
        }

        @Override
        public synchronized void close() {
            if (answer instanceof ByteBuffer) {
                answer = END;
                source.cancel();
            }
        }
    }
}
