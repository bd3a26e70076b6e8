package dev.harmony.queue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** The journal's write discipline: write a temp file, fsync it, rename it into place, fsync the directory. */
final class DurableFiles {
    private DurableFiles() {
    }

    /** Thrown when a copy would go past the allowed size; nothing is kept. */
    static final class TooBig extends IOException {
        private static final long serialVersionUID = 1L;

        TooBig(long limit) {
            super("over the queue's byte limit (" + limit + " bytes)");
        }
    }

    /** Copies {@code in} to a new file and fsyncs it; at most {@code maxBytes}. Returns the byte count. */
    static long copySynced(InputStream in, Path file, long maxBytes) throws IOException {
        long total;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            total = copy(in, ch, maxBytes);
            ch.force(false); // fdatasync: content and size; the rename is made durable by the directory fsync
        }
        return total;
    }

    /** Copies {@code in} to the channel's position on; at most {@code maxBytes}. Returns the byte count. */
    static long copy(InputStream in, FileChannel ch, long maxBytes) throws IOException {
        long total = 0;
        byte[] buf = new byte[64 * 1024];
        ByteBuffer bb = ByteBuffer.wrap(buf);
        for (int n; (n = in.read(buf)) >= 0;) {
            total += n;
            if (total > maxBytes) {
                throw new TooBig(maxBytes);
            }
            bb.clear().limit(n);
            while (bb.hasRemaining()) {
                ch.write(bb);
            }
        }
        return total;
    }

    /**
     * Hard-links {@code existing} as {@code link} (the caller fsyncs the link's directory); false where
     * that cannot be done (another file system, no hard links), so the caller copies instead.
     */
    static boolean link(Path existing, Path link) throws IOException {
        try {
            Files.createLink(link, existing);
            return true;
        } catch (UnsupportedOperationException e) {
            return false;
        } catch (java.nio.file.FileSystemException e) {
            if (e instanceof java.nio.file.NoSuchFileException || e instanceof java.nio.file.FileAlreadyExistsException
                    || e instanceof java.nio.file.AccessDeniedException) {
                throw e;
            }
            return false; // EXDEV, EPERM on file systems without links, too many links...
        }
    }

    /** Writes a small file and fsyncs it (not yet in its final place). */
    static void writeSynced(Path file, byte[] content) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ByteBuffer bb = ByteBuffer.wrap(content);
            while (bb.hasRemaining()) {
                ch.write(bb);
            }
            ch.force(false);
        }
    }

    /** Renames atomically, replacing what is there. The caller fsyncs the target directory. */
    static void moveInto(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the queue directory must support atomic renames (one file system): " + to, e);
        }
    }

    /** Makes the directory's entries (renames, deletions) durable. */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** Replaces {@code target} durably with {@code content}, via {@code temp} in the same file system. */
    static void replace(Path target, Path temp, byte[] content) throws IOException {
        writeSynced(temp, content);
        moveInto(temp, target);
        syncDirectory(target.getParent());
    }
}
