package dev.harmony.queue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * {@code ID.msg}: a message's request and body in one file, so that one fdatasync makes both durable
 * (and one rename, one directory fsync, publishes both).
 *
 * <pre>
 *   8 bytes   "HQMSG01\n"
 *   4 bytes   length of the request's JSON (big endian)
 *   8 bytes   length of the body
 *   ...       the request (StoredRequest JSON), then the body
 * </pre>
 *
 * After delivery the file is truncated to its request: the history keeps its summary, the payload's
 * space is freed, and a body length of more than zero with nothing after the request means delivered.
 */
final class MessageFile {
    private static final byte[] MAGIC = "HQMSG01\n".getBytes(StandardCharsets.US_ASCII);
    private static final int FIXED = MAGIC.length + 4 + 8;
    private static final int MAX_REQUEST = 16 * 1024 * 1024;

    /** The request (its body offset set to where the body starts), and the body's length as written. */
    record Header(StoredRequest request, long bodyOffset, long bodyLength) {
    }

    private MessageFile() {
    }

    /** Writes a new file and fdatasyncs it; returns the body's length. */
    static long write(Path file, StoredRequest request, InputStream body, long maxBytes) throws IOException {
        byte[] json = request.toJson();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer head = ByteBuffer.allocate(FIXED + json.length);
            head.put(MAGIC).putInt(json.length).putLong(0).put(json).flip();
            while (head.hasRemaining()) {
                ch.write(head);
            }
            long length = DurableFiles.copy(body, ch, maxBytes);
            ByteBuffer len = ByteBuffer.allocate(8).putLong(0, length);
            while (len.hasRemaining()) {
                ch.write(len, MAGIC.length + 4 + len.position());
            }
            ch.force(false); // fdatasync: request, body and size at once
            return length;
        }
    }

    static Header read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer fixed = ByteBuffer.allocate(FIXED);
            readFully(ch, fixed, 0);
            byte[] magic = Arrays.copyOf(fixed.array(), MAGIC.length);
            int jsonLength = fixed.getInt(MAGIC.length);
            long bodyLength = fixed.getLong(MAGIC.length + 4);
            if (!Arrays.equals(magic, MAGIC) || jsonLength <= 0 || jsonLength > MAX_REQUEST || bodyLength < 0) {
                throw new IOException("not a queue message file: " + file);
            }
            ByteBuffer json = ByteBuffer.allocate(jsonLength);
            readFully(ch, json, FIXED);
            long offset = FIXED + (long) jsonLength;
            return new Header(StoredRequest.fromJson(json.array()).withBodyOffset(offset), offset, bodyLength);
        }
    }

    /** Whether the body is gone (truncated after delivery); never for an empty body. */
    static boolean bodyDropped(Path file, Header h) throws IOException {
        return h.bodyLength() > 0 && java.nio.file.Files.size(file) <= h.bodyOffset();
    }

    /** Frees the payload after delivery (not synced: see JournalStore on state changes). */
    static void dropBody(Path file, Header h) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(h.bodyOffset());
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer into, long at) throws IOException {
        while (into.hasRemaining()) {
            if (ch.read(into, at + into.position()) < 0) {
                throw new IOException("truncated queue message file");
            }
        }
    }
}
