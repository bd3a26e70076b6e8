package dev.harmony.queue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded store: one directory per destination, two or three files per message in {@code messages/}.
 *
 * <pre>
 *   ID.msg    the request (JSON) and the payload as received, in one file (see {@link MessageFile}) —
 *             the message exists once this does; truncated to the request after delivery
 * or, for a payload that is already durable on disk (a Part-10 file a store wrote):
 *   ID.body   a hard link to that file (the meta says where in it the body starts)
 *   ID.meta   the request without its body (JSON; never changes) — the message exists once this does
 * and
 *   ID.state  state, attempts, due time, history (JSON; replaced as a whole on each change; absent
 *             until the first attempt, which means "accepted, pending")
 * </pre>
 *
 * <p>Only the accept must be durable before the sender is answered: the message file is written in
 * {@code tmp/}, fdatasynced (request and body at once), renamed into {@code messages/} (the commit
 * point) and the directory fsynced once, shared by the accepts that renamed meanwhile (group commit).
 * A linked body needs no write or sync of its bytes: the link, then its meta (written in {@code tmp/},
 * fdatasynced, renamed: the commit point), then the shared directory fsync. A crash half-way through
 * an accept leaves only orphans (a body without meta, files in {@code tmp/}), which the next start
 * deletes. Journals written before {@code ID.msg} existed ({@code ID.body} + {@code ID.meta}) are read
 * as they are.
 *
 * <p>State changes during delivery are written (temp file, rename) but not fsynced: they survive a
 * killed process (the page cache has them), and if an OS crash loses one, recovery falls back to what
 * is durable, which at worst delivers again (at-least-once): a missing or unreadable state file means
 * pending, and a missing body (or a message file truncated to its request) means delivered (a body is
 * only deleted after a delivery). Replay and
 * purge, being operator actions, stay durable; purging deletes the meta first.
 *
 * <p>One process owns a destination directory at a time ({@code .lock}); an admin without the lock
 * may read but not change it.
 */
final class JournalStore implements Store {
    private static final Logger LOG = LoggerFactory.getLogger(JournalStore.class);

    private final String destination;
    private final Path root;
    private final Path messages;
    private final Path tmp;
    private final boolean readOnly;
    private FileChannel lockChannel;
    private FileLock lock;

    /** In-memory index; file contents are read when needed. Guarded by {@code this}. */
    private final Map<String, Entry> entries = new HashMap<>();
    private final TreeSet<Entry> pending = new TreeSet<>(Comparator.<Entry, Instant>comparing(e -> e.due)
            .thenComparing(e -> e.id));
    private long heldMessages;
    private long heldBytes;

    /** Group commit of {@code messages/}: renames counted, and the count the last directory fsync covered. */
    private final java.util.concurrent.atomic.AtomicLong renamed = new java.util.concurrent.atomic.AtomicLong();
    private final Object syncLock = new Object();
    private long synced; // guarded by syncLock

    private static final class Entry {
        final String id;
        final Instant createdAt;
        final long bytes;
        /** ID.msg (request and body in one file), else ID.meta + ID.body. */
        final boolean combined;
        MessageState state;
        Instant due;
        Instant changedAt;

        Entry(String id, Instant createdAt, long bytes, boolean combined, MessageState state, Instant due,
                Instant changedAt) {
            this.id = id;
            this.createdAt = createdAt;
            this.bytes = bytes;
            this.combined = combined;
            this.state = state;
            this.due = due;
            this.changedAt = changedAt;
        }
    }

    JournalStore(Path dir, String destination, boolean readOnly) {
        this.destination = destination;
        this.root = dir.resolve(destination);
        this.messages = root.resolve("messages");
        this.tmp = root.resolve("tmp");
        this.readOnly = readOnly;
    }

    @Override
    public String destination() {
        return destination;
    }

    Path directory() {
        return root;
    }

    @Override
    public synchronized void open() throws IOException {
        if (!readOnly) {
            Files.createDirectories(messages);
            Files.createDirectories(tmp);
            lockChannel = FileChannel.open(root.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                lockChannel.close();
                throw new IllegalStateException("the journal " + root + " is in use by another running queue");
            }
            try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(tmp)) {
                for (Path p : leftovers) {
                    Files.deleteIfExists(p); // writes that never reached messages/: never acknowledged
                }
            }
        }
        if (!Files.isDirectory(messages)) {
            return;
        }
        Map<String, Boolean> ids = new java.util.TreeMap<>(); // id -> combined
        List<Path> others = new ArrayList<>();
        try (DirectoryStream<Path> all = Files.newDirectoryStream(messages)) {
            for (Path p : all) {
                String name = p.getFileName().toString();
                if (name.endsWith(".meta")) {
                    ids.put(name.substring(0, name.length() - 5), false);
                } else if (name.endsWith(".msg")) {
                    ids.put(name.substring(0, name.length() - 4), true);
                } else {
                    others.add(p);
                }
            }
        }
        int recovered = 0;
        Instant started = Instant.now();
        for (Map.Entry<String, Boolean> found : ids.entrySet()) {
            String id = found.getKey();
            boolean combined = found.getValue();
            StoredRequest meta;
            boolean bodyGone;
            long bodyBytes;
            try {
                if (combined) {
                    MessageFile.Header h = MessageFile.read(messageFile(id));
                    meta = h.request();
                    bodyGone = MessageFile.bodyDropped(messageFile(id), h);
                    bodyBytes = h.bodyLength();
                } else {
                    meta = StoredRequest.fromJson(Files.readAllBytes(metaFile(id)));
                    bodyGone = !Files.exists(bodyFile(id));
                    bodyBytes = sizeOf(bodyFile(id));
                }
            } catch (IOException | RuntimeException e) {
                LOG.error("journal {}: message {} cannot be read and is skipped (files left as they are): {}", root,
                        id, e.toString());
                continue;
            }
            Progress p = recoveredState(id, meta, bodyGone);
            if (p.state() == MessageState.IN_FLIGHT && !readOnly) {
                Instant now = Instant.now();
                p = p.next(MessageState.PENDING, p.attempts(), now, new MessageEvent(now, MessageEvent.Type.RECOVERED,
                        "was in flight when the previous process stopped"));
                writeState(id, p);
                recovered++;
            }
            long bytes = p.state() == MessageState.DELIVERED ? 0 : bodyBytes;
            // A (re)start is a moment to try again: pending work is due at once, whatever its backoff said.
            Instant due = readOnly || p.nextAttemptAt().isBefore(started) ? p.nextAttemptAt() : started;
            Entry e = new Entry(id, meta.createdAt(), bytes, combined, p.state(), due, lastChange(p));
            index(e);
        }
        if (!readOnly) {
            for (Path p : others) {
                String name = p.getFileName().toString();
                String id = name.substring(0, Math.max(0, name.lastIndexOf('.')));
                if (!entries.containsKey(id)) {
                    Files.deleteIfExists(p); // an accept that did not finish, or a purge that did not
                }
            }
            LOG.info("journal {}: {} messages ({} pending, {} put back from in flight)", root, entries.size(),
                    pending.size(), recovered);
        }
    }

    /** The state as far as it is durable: see the class comment for the fallbacks. */
    private Progress recoveredState(String id, StoredRequest meta, boolean bodyGone) {
        Progress p;
        boolean changed = false;
        try {
            p = Progress.fromJson(Files.readAllBytes(stateFile(id)));
        } catch (NoSuchFileException none) {
            p = Progress.accepted(meta.createdAt()); // never attempted
        } catch (IOException | RuntimeException torn) {
            // A state write (not fsynced) lost to an OS crash: what is durable says pending.
            Instant now = Instant.now();
            p = Progress.accepted(meta.createdAt()).next(MessageState.PENDING, 0, now, new MessageEvent(now,
                    MessageEvent.Type.RECOVERED, "its state was lost in a crash (" + torn.getClass().getSimpleName()
                            + "); delivered again"));
            changed = true;
        }
        if (p.state() != MessageState.DELIVERED && bodyGone) {
            // Bodies are deleted only after a delivery: the DELIVERED state that came first was lost.
            Instant now = Instant.now();
            p = p.next(MessageState.DELIVERED, p.attempts(), now, new MessageEvent(now, MessageEvent.Type.RECOVERED,
                    "delivered (its state was lost in a crash)"));
            changed = true;
        }
        if (changed) {
            if (!readOnly) {
                try {
                    writeState(id, p);
                } catch (IOException e) {
                    LOG.warn("journal {}: cannot record {} as delivered: {}", root, id, e.toString());
                }
            }
        }
        return p;
    }

    private static Instant lastChange(Progress p) {
        return p.history().isEmpty() ? p.nextAttemptAt() : p.history().get(p.history().size() - 1).at();
    }

    private void index(Entry e) {
        entries.put(e.id, e);
        if (e.state == MessageState.PENDING) {
            pending.add(e);
        }
        if (e.state != MessageState.DELIVERED) {
            heldMessages++;
            heldBytes += e.bytes;
        }
    }

    @Override
    public synchronized void close() {
        try {
            if (lock != null) {
                lock.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException e) {
            LOG.warn("journal {}: cannot release the lock: {}", root, e.toString());
        }
        lock = null;
        lockChannel = null;
        entries.clear();
        pending.clear();
        heldMessages = 0;
        heldBytes = 0;
    }

    @Override
    public void accept(StoredRequest request, InputStream body, long maxBytes) throws IOException {
        writable();
        String id = request.id();
        Path tmpMessage = tmp.resolve(id + ".msg");
        Progress progress = Progress.accepted(request.createdAt());
        long bytes;
        try {
            bytes = MessageFile.write(tmpMessage, request, body, maxBytes);
            DurableFiles.moveInto(tmpMessage, messageFile(id)); // the commit point
            syncMessages(renamed.incrementAndGet());
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmpMessage, messageFile(id));
            throw e;
        }
        synchronized (this) {
            index(new Entry(id, request.createdAt(), bytes, true, MessageState.PENDING, progress.nextAttemptAt(),
                    request.createdAt()));
        }
    }

    /**
     * A body already durable on disk (a Part-10 file a store wrote and synced) is hard-linked into
     * {@code messages/}, not copied: its bytes are written and synced once, by its writer. Then the meta
     * commits as in {@link #accept}. Another file system, or one without hard links: copied.
     */
    @Override
    public void acceptFile(StoredRequest request, Path file, long offset, long maxBytes) throws IOException {
        writable();
        String id = request.id();
        Path body = bodyFile(id);
        Path tmpMeta = tmp.resolve(id + ".meta");
        long bytes;
        try {
            bytes = Files.size(file);
            if (bytes - offset > maxBytes) {
                throw new DurableFiles.TooBig(maxBytes);
            }
            if (!DurableFiles.link(file, body)) {
                try (InputStream in = Files.newInputStream(file)) {
                    in.skipNBytes(offset);
                    accept(request, in, maxBytes);
                }
                return;
            }
            // Straight into messages/: without its meta a body is an orphan, which the next start deletes.
            DurableFiles.writeSynced(tmpMeta, request.withBodyOffset(offset).toJson());
            DurableFiles.moveInto(tmpMeta, metaFile(id)); // the commit point
            syncMessages(renamed.incrementAndGet());
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmpMeta, metaFile(id), body);
            throw e;
        }
        synchronized (this) {
            index(new Entry(id, request.createdAt(), bytes, false, MessageState.PENDING, request.createdAt(),
                    request.createdAt()));
        }
    }

    /**
     * Makes the renames up to {@code ticket} durable. One fsync covers every rename counted before it
     * started, so accepts that wait here while another thread syncs usually find their work done.
     */
    private void syncMessages(long ticket) throws IOException {
        synchronized (syncLock) {
            if (synced >= ticket) {
                return;
            }
            long upTo = renamed.get();
            DurableFiles.syncDirectory(messages);
            synced = upTo;
        }
    }

    @Override
    public Optional<Claim> claim(String owner, Duration lease, Instant now) throws IOException {
        writable();
        Entry e;
        synchronized (this) {
            e = pending.isEmpty() ? null : pending.first();
            if (e == null || e.due.isAfter(now)) {
                return Optional.empty();
            }
            pending.remove(e);
            e.state = MessageState.IN_FLIGHT;
        }
        try {
            StoredRequest meta = readMeta(e);
            Progress p = readState(e.id, meta);
            p = p.next(MessageState.IN_FLIGHT, p.attempts() + 1, p.nextAttemptAt(),
                    new MessageEvent(now, MessageEvent.Type.ATTEMPT, owner));
            writeState(e.id, p);
            synchronized (this) {
                e.changedAt = now;
            }
            return Optional.of(new Claim(meta, e.combined ? messageFile(e.id) : bodyFile(e.id), false, p, e.bytes));
        } catch (IOException | RuntimeException ex) {
            synchronized (this) {
                e.state = MessageState.PENDING;
                pending.add(e);
            }
            throw ex;
        }
    }

    @Override
    public synchronized Optional<Instant> nextDue() {
        return pending.isEmpty() ? Optional.empty() : Optional.of(pending.first().due);
    }

    @Override
    public boolean finish(Claim claim, String owner, Progress next, Duration delay) throws IOException {
        writable();
        String id = claim.id();
        writeState(id, next);
        Entry e;
        synchronized (this) {
            e = entries.get(id);
        }
        if (next.state() == MessageState.DELIVERED) { // after the state: a missing body means delivered
            if (e != null && e.combined) {
                MessageFile.dropBody(messageFile(id), new MessageFile.Header(claim.request(),
                        claim.request().bodyOffset(), e.bytes));
            } else {
                Files.deleteIfExists(bodyFile(id));
            }
        }
        synchronized (this) {
            if (e != null) {
                moveTo(e, next.state(), next.nextAttemptAt(), lastChange(next));
            }
        }
        return true;
    }

    private void moveTo(Entry e, MessageState state, Instant due, Instant changedAt) {
        pending.remove(e);
        if (e.state != MessageState.DELIVERED && state == MessageState.DELIVERED) {
            heldMessages--;
            heldBytes -= e.bytes;
        }
        e.state = state;
        e.due = due;
        e.changedAt = changedAt;
        if (state == MessageState.PENDING) {
            pending.add(e);
        }
    }

    @Override
    public synchronized Usage usage() {
        return new Usage(heldMessages, heldBytes);
    }

    @Override
    public synchronized DestinationStatus status(Instant now) {
        long[] counts = new long[MessageState.values().length];
        Instant oldest = null;
        for (Entry e : entries.values()) {
            counts[e.state.ordinal()]++;
            if ((e.state == MessageState.PENDING || e.state == MessageState.IN_FLIGHT)
                    && (oldest == null || e.createdAt.isBefore(oldest))) {
                oldest = e.createdAt;
            }
        }
        Duration age = oldest == null || oldest.isAfter(now) ? Duration.ZERO : Duration.between(oldest, now);
        return new DestinationStatus(destination, counts[0], counts[1], counts[2], counts[3], age, heldBytes);
    }

    @Override
    public List<MessageInfo> list(MessageState state, int limit) throws IOException {
        List<MessageInfo> out = new ArrayList<>();
        for (String id : ids(state, limit)) {
            get(id).ifPresent(out::add);
        }
        return out;
    }

    @Override
    public synchronized List<String> ids(MessageState state, int limit) {
        return entries.values().stream().filter(e -> e.state == state)
                .sorted(Comparator.comparing((Entry e) -> e.createdAt).thenComparing(e -> e.id)).limit(limit)
                .map(e -> e.id).toList();
    }

    @Override
    public Optional<MessageInfo> get(String id) throws IOException {
        Entry e;
        synchronized (this) {
            e = entries.get(id);
        }
        if (e == null) {
            return Optional.empty();
        }
        try {
            StoredRequest meta = readMeta(e);
            Progress p = readState(id, meta);
            return Optional.of(new MessageInfo(id, destination, p.state(), meta.createdAt(), p.attempts(),
                    p.nextAttemptAt(), e.bytes, meta.summary(), p.history()));
        } catch (NoSuchFileException gone) {
            return Optional.empty(); // purged meanwhile
        }
    }

    @Override
    public synchronized boolean replay(String id, Instant now) throws IOException {
        writable();
        Entry e = entries.get(id);
        if (e == null || e.state != MessageState.DEAD) {
            return false;
        }
        Progress p = readState(id, readMeta(e));
        p = p.next(MessageState.PENDING, 0, now, new MessageEvent(now, MessageEvent.Type.REPLAYED, ""));
        DurableFiles.replace(stateFile(id), tmp.resolve(id + ".state"), p.toJson()); // an operator's act: durable
        moveTo(e, MessageState.PENDING, now, now);
        return true;
    }

    @Override
    public synchronized int purge(MessageState state, Instant before) throws IOException {
        writable();
        if (state != MessageState.DELIVERED && state != MessageState.DEAD) {
            throw new IllegalArgumentException("only delivered or dead messages can be purged, not " + state);
        }
        List<Entry> gone = entries.values().stream().filter(e -> e.state == state && e.changedAt.isBefore(before))
                .toList();
        for (Entry e : gone) {
            Files.deleteIfExists(e.combined ? messageFile(e.id) : metaFile(e.id)); // first: the rest are orphans then
        }
        if (!gone.isEmpty()) {
            DurableFiles.syncDirectory(messages);
        }
        for (Entry e : gone) {
            deleteQuietly(stateFile(e.id), bodyFile(e.id));
            entries.remove(e.id);
            if (e.state != MessageState.DELIVERED) {
                heldMessages--;
                heldBytes -= e.bytes;
            }
        }
        return gone.size();
    }

    /** Not fsynced: see the class comment for why a lost state write is safe. */
    private void writeState(String id, Progress p) throws IOException {
        Path temp = tmp.resolve(id + ".state");
        Files.write(temp, p.toJson());
        DurableFiles.moveInto(temp, stateFile(id));
    }

    /**
     * The state file, or "accepted" if there is none yet (written at the first attempt) or it is torn
     * (an admin reading a journal whose owner has not recovered it yet; the owner rewrote it on open).
     */
    private Progress readState(String id, StoredRequest meta) throws IOException {
        try {
            return Progress.fromJson(Files.readAllBytes(stateFile(id)));
        } catch (NoSuchFileException none) {
            return Progress.accepted(meta.createdAt());
        } catch (com.fasterxml.jackson.core.JsonProcessingException torn) {
            return Progress.accepted(meta.createdAt());
        }
    }

    private void writable() {
        if (readOnly) {
            throw new IllegalStateException("the journal " + root + " is open read-only (a running queue owns it): "
                    + "change it through that queue's admin()");
        }
    }

    private StoredRequest readMeta(Entry e) throws IOException {
        return e.combined ? MessageFile.read(messageFile(e.id)).request()
                : StoredRequest.fromJson(Files.readAllBytes(metaFile(e.id)));
    }

    private Path messageFile(String id) {
        return messages.resolve(id + ".msg");
    }

    private Path bodyFile(String id) {
        return messages.resolve(id + ".body");
    }

    private Path metaFile(String id) {
        return messages.resolve(id + ".meta");
    }

    private Path stateFile(String id) {
        return messages.resolve(id + ".state");
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    private static void deleteQuietly(Path... paths) {
        for (Path p : paths) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                LOG.warn("cannot delete {}: {} (the next start removes it)", p, e.toString());
            }
        }
    }

    @Override
    public String toString() {
        return "journal " + root;
    }
}
