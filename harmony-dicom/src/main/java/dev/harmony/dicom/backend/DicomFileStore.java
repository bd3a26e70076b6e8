package dev.harmony.dicom.backend;

import dev.harmony.dicom.DicomAttributes;
import dev.harmony.dicom.DicomFormatException;
import dev.harmony.dicom.TransferSyntax;
import dev.harmony.dicom.Uids;
import dev.harmony.dicom.internal.codec.DatasetPrefix;
import dev.harmony.dicom.internal.dimse.DataStream;
import dev.harmony.dicom.internal.file.FileMeta;
import dev.harmony.dicom.query.Dataset;
import dev.harmony.dicom.query.DicomIndex;
import dev.harmony.dicom.query.DicomQuery;
import dev.harmony.dicom.query.QueryKeys;
import dev.harmony.dicom.query.Retrieval;
import dev.harmony.message.Protocol;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Backend;
import dev.harmony.pipeline.Rejection;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each C-STORE as a Part-10 file (file meta with the negotiated transfer syntax, SOP class and
 * instance, source AE) under a root directory, by default at
 * {@code {StudyInstanceUID}/{SeriesInstanceUID}/{SOPInstanceUID}.dcm}.
 *
 * <pre>{@code
 * DicomFileStore.under(Path.of("/data/dicom")).onDuplicate(DuplicatePolicy.REJECT).build()
 * }</pre>
 *
 * <p>Options go on the {@link Builder}; the built store is immutable. The data set streams from the network into a hidden temporary file in the target directory,
 * which is fsynced and then atomically renamed; only then is success reported, so a final path never
 * shows a partial file. Before that the element structure of the whole data set is walked (headers
 * only), so one cut short is refused with C000 rather than stored. Only the elements up to Series Instance UID are held in memory. UIDs are
 * validated (digits and dots, at most 64 characters), so no path can leave the root. Answers
 * {@code A-ASSOCIATE} exchanges with success.
 */
public final class DicomFileStore implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(DicomFileStore.class);
    private static final int COPY_BUFFER = 256 * 1024;
    /** Association threads live long and store many objects: reuse one copy buffer per thread. */
    private static final ThreadLocal<byte[]> COPY_BUFFERS = ThreadLocal.withInitial(() -> new byte[COPY_BUFFER]);

    /** Read too: the written data set is walked before it is published (see {@link CompletenessCheck}). */
    private static final Set<StandardOpenOption> TEMP_OPTIONS = Set.of(StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE, StandardOpenOption.READ);

    private final Path root;
    private final Path configuredRoot;
    private final FileLayout layout;
    private final DuplicatePolicy duplicates;
    private final boolean fsync;
    private final int headerLimit;
    private final Set<Path> knownDirectories = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** A given index, or {@link #EMBEDDED} for one under the root opened at start, or null. */
    private final Object indexSetting;
    private static final Object EMBEDDED = new Object();
    private volatile DicomIndex index;

    private DicomFileStore(Builder b) {
        this.indexSetting = b.indexSetting;
        this.index = b.indexSetting instanceof DicomIndex given ? given : null;
        this.configuredRoot = b.root;
        this.root = configuredRoot.toAbsolutePath().normalize();
        this.layout = b.layout;
        this.duplicates = b.duplicates;
        this.fsync = b.fsync;
        this.headerLimit = b.headerLimit;
    }

    /**
     * A store under {@code root} (created at start if missing) with the defaults: the UID layout,
     * {@link DuplicatePolicy#OVERWRITE}, fsync on, 16 MiB header limit.
     */
    public static Builder under(Path root) {
        return new Builder(Objects.requireNonNull(root, "DicomFileStore.under: root"));
    }

    /** Options of a {@link DicomFileStore}; {@link #build()} makes the stage. */
    public static final class Builder {
        private final Path root;
        private FileLayout layout = new FileLayout("{StudyInstanceUID}/{SeriesInstanceUID}/{SOPInstanceUID}.dcm");
        private DuplicatePolicy duplicates = DuplicatePolicy.OVERWRITE;
        private boolean fsync = true;
        private int headerLimit = 16 * 1024 * 1024;
        private Object indexSetting;

        private Builder(Path root) {
            this.root = root;
        }

        /** Relative path pattern with {StudyInstanceUID}, {SeriesInstanceUID}, {SOPInstanceUID}, {SOPClassUID}. */
        public Builder layout(String pattern) {
            this.layout = new FileLayout(pattern);
            return this;
        }

        /** What to do when the instance is already stored. Default {@link DuplicatePolicy#OVERWRITE}. */
        public Builder onDuplicate(DuplicatePolicy policy) {
            this.duplicates = Objects.requireNonNull(policy, "DicomFileStore.onDuplicate");
            return this;
        }

        /** Whether to fsync file and directory before reporting success. Default true. */
        public Builder fsync(boolean value) {
            this.fsync = value;
            return this;
        }

        /** The most bytes of elements before the Series Instance UID held in memory. Default 16 MiB. */
        public Builder headerLimit(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("DicomFileStore.headerLimit must be >= 1024: " + bytes);
            }
            this.headerLimit = bytes;
            return this;
        }

        /**
         * Also indexes every stored object in an embedded database under {@code ROOT/.index} (opened at
         * start, closed at stop) and answers C-FIND from it. If the index is new while the root already
         * holds files, it is built from them at start.
         */
        public Builder indexed() {
            this.indexSetting = EMBEDDED;
            return this;
        }

        /** Also indexes every stored object in {@code value} (e.g. {@link DicomIndex#postgres}) and answers C-FIND from it. */
        public Builder index(DicomIndex value) {
            this.indexSetting = Objects.requireNonNull(value, "DicomFileStore.index");
            return this;
        }

        /** The store with these options. */
        public DicomFileStore build() {
            return new DicomFileStore(this);
        }
    }

    /** Whether a stored file is durable (fsynced, with its directory) before success is reported. */
    boolean syncs() {
        return fsync;
    }

    /** The store's root directory, absolute. */
    public Path root() {
        return root;
    }

    /** The index while running (or the one given), if any. */
    public java.util.Optional<DicomIndex> index() {
        return java.util.Optional.ofNullable(index);
    }

    /** Rebuilds this root's rows of the index from the stored files; returns how many were indexed. */
    public int reindex() throws IOException {
        DicomIndex i = index;
        if (i == null) {
            throw new IllegalStateException("DicomFileStore.reindex: the store has no index (start it, or use indexed())");
        }
        return i.reindex(root);
    }

    @Override
    public void start() throws IOException {
        Files.createDirectories(root);
        if (!Files.isWritable(root)) {
            throw new IOException("DicomFileStore: root " + root + " is not writable");
        }
        if (indexSetting == EMBEDDED && index == null) {
            Path dir = root.resolve(".index");
            boolean fresh = !Files.exists(dir);
            DicomIndex opened = DicomIndex.embedded(dir);
            if (fresh) {
                int n = opened.reindex(root);
                if (n > 0) {
                    LOG.info("DicomFileStore {}: new index built from {} stored files", root, n);
                }
            }
            index = opened;
        }
    }

    @Override
    public void stop() {
        DicomIndex i = index;
        if (indexSetting == EMBEDDED && i != null) {
            index = null;
            i.close();
        }
    }

    @Override
    public Set<Protocol> protocols() {
        return Set.of(Protocol.DICOM);
    }

    @Override
    public Description describe() {
        // The root as configured (not made absolute), so diagrams do not depend on the working directory.
        return new Description("File Adapter", configuredRoot.toString());
    }

    @Override
    public Response handle(Request request) throws IOException {
        switch (request.operation()) {
            case DicomAttributes.OP_ASSOCIATE:
                return Response.ok();
            case DicomAttributes.OP_C_STORE:
                Pending stored = store(request);
                if (stored.directory() != null) {
                    syncDirectory(stored.directory());
                }
                return stored.response();
            case DicomAttributes.OP_C_FIND:
                return find(request);
            case DicomAttributes.OP_C_MOVE, DicomAttributes.OP_C_GET:
                return move(request);
            default:
                return Response.rejected(Rejection.unsupported("DicomFileStore handles C-STORE, not "
                        + request.operation()));
        }
    }

    private Response find(Request request) throws IOException {
        DicomIndex i = index;
        DicomQuery query = request.attribute(DicomAttributes.QUERY).orElse(null);
        if (i == null) {
            return Response.rejected(Rejection.unsupported("DicomFileStore " + configuredRoot + " has no index to query"));
        }
        if (query == null) {
            return Response.rejected(Rejection.malformed("C-FIND without a query"));
        }
        try {
            return Response.ok().with(DicomAttributes.MATCHES,
                    i.find(query, request.attribute(DicomAttributes.LOCAL_AE).orElse(null)));
        } catch (IllegalArgumentException e) {
            return invalid(e.getMessage());
        }
    }

    private Response move(Request request) throws IOException {
        DicomIndex i = index;
        DicomQuery query = request.attribute(DicomAttributes.QUERY).orElse(null);
        if (i == null) {
            return Response.rejected(Rejection.unsupported("DicomFileStore " + configuredRoot + " has no index to retrieve from"));
        }
        if (query == null) {
            return Response.rejected(Rejection.malformed("C-MOVE without a query"));
        }
        try {
            return Response.ok().with(DicomAttributes.RETRIEVAL, new Retrieval(i.instances(query)));
        } catch (IllegalArgumentException e) {
            return invalid(e.getMessage());
        }
    }

    /**
     * Stores a C-STORE like {@link #handle} but leaves the last step, the fsync of the directory that
     * now names the file, to the caller ({@link #syncDirectory}), who must finish it before answering:
     * StoreAndForward runs it while its next hop works. The file's content is already durable.
     */
    Pending storeLeavingDirectorySync(Request request) throws IOException {
        return store(request);
    }

    /** A store's answer, and the directory still to fsync before it may be given (null: none). */
    record Pending(Response response, Path directory) {
    }

    private Pending store(Request request) throws IOException {
        String sopClass = request.attribute(DicomAttributes.SOP_CLASS_UID).orElse("");
        String sopInstance = request.attribute(DicomAttributes.SOP_INSTANCE_UID).orElse("");
        TransferSyntax ts = request.attribute(DicomAttributes.TRANSFER_SYNTAX)
                .orElse(TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN);
        if (!Uids.isValid(sopInstance)) {
            return new Pending(invalid("Affected SOP Instance UID '" + sopInstance + "' is not a valid UID"), null);
        }
        if (!Uids.isValid(sopClass)) {
            return new Pending(invalid("Affected SOP Class UID '" + sopClass + "' is not a valid UID"), null);
        }
        InputStream in = request.body().stream();
        DatasetPrefix prefix;
        try {
            prefix = index == null ? DatasetPrefix.read(in, ts, headerLimit)
                    : DatasetPrefix.read(in, ts, headerLimit, DicomIndex.LAST_TAG, DicomIndex.INDEXED_TAGS);
        } catch (DatasetPrefix.TooLargeException e) {
            return new Pending(Response.rejected(Rejection.payloadTooLarge(e.getMessage())), null);
        } catch (DicomFormatException e) {
            return new Pending(Response.rejected(Rejection.malformed("data set cannot be parsed: " + e.getMessage())),
                    null);
        }
        if (prefix.sopInstanceUid().isPresent() && !prefix.sopInstanceUid().get().equals(sopInstance)) {
            return new Pending(invalid("data set SOP Instance UID '" + prefix.sopInstanceUid().get()
                    + "' differs from the command's '" + sopInstance + "'"), null);
        }
        Map<String, String> uids = new HashMap<>();
        uids.put(FileLayout.SOP_INSTANCE, sopInstance);
        uids.put(FileLayout.SOP_CLASS, sopClass);
        uids.put(FileLayout.STUDY, prefix.studyInstanceUid().orElse(null));
        uids.put(FileLayout.SERIES, prefix.seriesInstanceUid().orElse(null));
        Path target;
        try {
            target = layout.resolve(root, uids);
        } catch (IllegalArgumentException e) {
            return new Pending(invalid("cannot file the object: " + e.getMessage()), null);
        }
        if (duplicates != DuplicatePolicy.OVERWRITE && Files.exists(target)) {
            return new Pending(duplicate(target), null);
        }
        Path dir = target.getParent();
        ensureDirectory(dir, false);
        Path temp = dir.resolve("." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current()
                .nextLong()) + ".part");
        String callingAe = request.attribute(DicomAttributes.CALLING_AE).orElse(null);
        boolean moved = false;
        try {
            try (FileChannel channel = openTemp(temp)) {
                // Part-10 header and the data set prefix in one gathering write
                ByteBuffer[] head = {ByteBuffer.wrap(new FileMeta(sopClass, sopInstance, ts.uid(), callingAe).encode()),
                    ByteBuffer.wrap(prefix.raw())};
                long datasetStart = head[0].remaining();
                while (head[1].hasRemaining()) {
                    channel.write(head);
                }
                if (in instanceof DataStream network) {
                    network.transferTo(channel); // socket buffer -> file, no copy through the heap
                } else {
                    byte[] buffer = COPY_BUFFERS.get();
                    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                        ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                        while (chunk.hasRemaining()) {
                            channel.write(chunk);
                        }
                    }
                }
                try {
                    CompletenessCheck.requireComplete(channel, datasetStart, ts);
                } catch (DicomFormatException e) {
                    return new Pending(Response.rejected(Rejection.malformed("data set is incomplete or broken: "
                            + e.getMessage())), null);
                }
                if (fsync) {
                    channel.force(false); // fdatasync: content and size; the rename is made durable below
                }
            }
            Publication published = publish(temp, target);
            moved = published == Publication.MOVED;
            if (published == Publication.DUPLICATE) {
                return new Pending(duplicate(target), null);
            }
            DicomIndex i = index;
            if (i != null) {
                // After the file is in place, so a match always has its file; on failure the sender retries.
                Dataset row = DicomIndex.rowOf(prefix.values());
                row.set(QueryKeys.SOP_INSTANCE_UID, sopInstance);
                row.set(QueryKeys.SOP_CLASS_UID, sopClass);
                i.add(row, root, root.relativize(target).toString(), ts.uid());
            }
        } finally {
            if (!moved) {
                Files.deleteIfExists(temp); // after a rename the name is gone: skip the stat and unlink
            }
        }
        return new Pending(Response.ok().with(DicomAttributes.STORED_FILE, target), fsync ? dir : null);
    }

    /**
     * Creates {@code dir} unless it was seen recently (saves two syscalls per object in a series). With
     * fsync on, each directory created here is made durable in its parent once, so a stored file cannot
     * lose its study or series directory in a crash; objects stored later pay nothing for this.
     */
    private void ensureDirectory(Path dir, boolean force) throws IOException {
        if (force || !knownDirectories.contains(dir)) {
            Path firstMissing = null;
            if (fsync) {
                for (Path p = dir; p != null && p.startsWith(root) && !p.equals(root) && Files.notExists(p);
                        p = p.getParent()) {
                    firstMissing = p;
                }
            }
            Files.createDirectories(dir);
            for (Path p = dir; firstMissing != null; p = p.getParent()) {
                syncDirectory(p.getParent());
                if (p.equals(firstMissing)) {
                    break;
                }
            }
            if (knownDirectories.size() > 4096) {
                knownDirectories.clear();
            }
            knownDirectories.add(dir);
        }
    }

    /** Opens the temp file; if a remembered directory was removed meanwhile, creates it again. */
    private FileChannel openTemp(Path temp) throws IOException {
        try {
            return FileChannel.open(temp, TEMP_OPTIONS);
        } catch (java.nio.file.NoSuchFileException e) {
            ensureDirectory(temp.getParent(), true);
            return FileChannel.open(temp, TEMP_OPTIONS);
        }
    }

    /** How {@link #publish} gave the finished temp file its final name. */
    private enum Publication {
        /** Renamed: the temp name no longer exists. */
        MOVED,
        /** Hard-linked: the temp name still exists and must be removed. */
        LINKED,
        /** A non-overwrite policy found the final name taken. */
        DUPLICATE
    }

    /** Gives the finished temp file its final name, unless a non-overwrite policy finds one there. */
    private Publication publish(Path temp, Path target) throws IOException {
        if (duplicates == DuplicatePolicy.OVERWRITE) {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return Publication.MOVED;
        }
        // A hard link fails if the name exists, so two concurrent copies cannot both win.
        try {
            Files.createLink(target, temp);
            return Publication.LINKED;
        } catch (FileAlreadyExistsException e) {
            return Publication.DUPLICATE;
        } catch (UnsupportedOperationException e) {
            if (Files.exists(target)) {
                return Publication.DUPLICATE;
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            return Publication.MOVED;
        }
    }

    private Response duplicate(Path target) {
        if (duplicates == DuplicatePolicy.KEEP_FIRST) {
            LOG.debug("duplicate {} kept as first received", target);
            return Response.ok().with(DicomAttributes.STORED_FILE, target);
        }
        return Response.rejected(Rejection.of(Rejection.Kind.CONFLICT,
                "SOP instance already stored: " + root.relativize(target)));
    }

    private static Response invalid(String message) {
        return Response.rejected(Rejection.invalid(message, java.util.List.of()));
    }

    static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Some platforms cannot open directories; the file itself is already synced.
        }
    }
}
