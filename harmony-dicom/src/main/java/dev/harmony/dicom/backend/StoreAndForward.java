package dev.harmony.dicom.backend;

import dev.harmony.dicom.DicomAttributes;
import dev.harmony.dicom.internal.file.FileMeta;
import dev.harmony.message.Body;
import dev.harmony.message.Protocol;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Backend;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;

/**
 * Writes each object to disk first, then forwards the stored file to a PACS: the network stream is
 * read once, the copy on disk is durable before the PACS sees it, and a PACS outage loses nothing.
 * The answer is the forward's (the PACS status), so a modality retries an object the PACS did not
 * take; a failed store is answered without forwarding.
 *
 * <pre>{@code
 * StoreAndForward.of(DicomFileStore.under(dir), DicomForward.to(pacs).build())
 * }</pre>
 *
 * The next hop can be any DICOM backend, e.g. a {@code DeliveryQueue} in front of the forward, which
 * answers once the object is queued and delivers it in the background. The request it gets carries the
 * stored file and where its data set starts ({@link DicomAttributes#STORED_FILE},
 * {@link DicomAttributes#DATASET_OFFSET}, the latter only when the store fsyncs); the journal queue then
 * hard-links that file instead of writing and syncing a second copy. The store's last step, the fsync
 * of the directory that names the new file, runs on another thread meanwhile; the answer waits for it.
 */
public final class StoreAndForward implements Backend {
    private final DicomFileStore store;
    private final Backend forward;
    private final String target;
    /** Runs the store's directory fsync while the next hop works; null before start (then inline). */
    private volatile ExecutorService syncs;

    private StoreAndForward(DicomFileStore store, Backend forward, String target) {
        this.store = Objects.requireNonNull(store, "StoreAndForward: store");
        this.forward = Objects.requireNonNull(forward, "StoreAndForward: forward");
        this.target = target;
    }

    /** Stores, then forwards the stored object with {@code forward}, whose answer is the answer. */
    public static Builder of(DicomFileStore store, DicomForward forward) {
        return new Builder(store, forward, Objects.requireNonNull(forward, "StoreAndForward: forward")
                .pacs().toString());
    }

    /** Stores, then hands the stored object to {@code next} (a DICOM backend), whose answer is the answer. */
    public static Builder of(DicomFileStore store, Backend next) {
        return new Builder(store, next, Objects.requireNonNull(next, "StoreAndForward: next")
                .describe().detail());
    }

    /** A {@link StoreAndForward} to be made with {@link #build()}; it has no options yet, so every stage is made alike. */
    public static final class Builder {
        private final DicomFileStore store;
        private final Backend forward;
        private final String target;

        private Builder(DicomFileStore store, Backend forward, String target) {
            this.store = store;
            this.forward = forward;
            this.target = target;
        }

        /** The stage. */
        public StoreAndForward build() {
            return new StoreAndForward(store, forward, target);
        }
    }

    @Override
    public void start() throws Exception {
        store.start();
        forward.start();
        syncs = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "store-and-forward-fsync");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void stop() {
        forward.stop();
        store.stop();
        if (syncs != null) {
            syncs.shutdown();
        }
    }

    @Override
    public Set<Protocol> protocols() {
        return Set.of(Protocol.DICOM);
    }

    @Override
    public Description describe() {
        return new Description("Store & Forward", store.describe().detail() + " → " + target);
    }

    @Override
    public Response handle(Request request) throws Exception {
        if (!request.operation().equals(DicomAttributes.OP_C_STORE)) {
            return store.handle(request);
        }
        DicomFileStore.Pending pending = store.storeLeavingDirectorySync(request);
        Response stored = pending.response();
        Path dir = pending.directory();
        // The file's content is durable; the fsync of the directory naming it runs while the next hop
        // works (a queue's own syncs overlap with it), and the answer waits for both.
        Future<?> dirSync = null;
        if (dir != null) {
            ExecutorService pool = syncs;
            try {
                dirSync = pool == null ? null : pool.submit(() -> DicomFileStore.syncDirectory(dir));
            } catch (RejectedExecutionException stopping) {
                dirSync = null;
            }
            if (dirSync == null) {
                DicomFileStore.syncDirectory(dir);
            }
        }
        try {
            return forward(request, stored);
        } finally {
            if (dirSync != null) {
                dirSync.get();
            }
        }
    }

    private Response forward(Request request, Response stored) throws Exception {
        if (!stored.isSuccess()) {
            return stored;
        }
        Path file = stored.attribute(DicomAttributes.STORED_FILE).orElseThrow();
        try (InputStream in = Files.newInputStream(file)) {
            FileMeta.Opened opened = FileMeta.read(in);
            Request next = request.withBody(Body.ofStream(opened.dataset(), -1, DicomAttributes.DATASET_CONTENT_TYPE))
                    .with(DicomAttributes.STORED_FILE, file);
            if (store.syncs()) { // durable: the next hop may keep the file itself
                next = next.with(DicomAttributes.DATASET_OFFSET, opened.datasetOffset());
            }
            Response forwarded = forward.handle(next);
            return forwarded.with(DicomAttributes.STORED_FILE, file);
        }
    }
}
