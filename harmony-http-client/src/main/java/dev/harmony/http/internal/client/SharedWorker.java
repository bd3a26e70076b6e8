package dev.harmony.http.internal.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Xnio;
import org.xnio.XnioWorker;

/**
 * The one small I/O worker behind every {@link EventLoopClient} that is used from threads which are not
 * I/O threads (a FHIR client, a JWKS fetch, a forward behind a blocking stage): created when the first
 * such client needs it, shut down when the last of them closes. An application with ten upstreams then
 * runs two I/O threads for them, not twenty; each client still has its own connection pools on them.
 */
final class SharedWorker {
    private static final Object LOCK = new Object();
    private static XnioWorker worker; // guarded by LOCK
    private static int users; // guarded by LOCK

    private SharedWorker() {
    }

    /** The worker, created if no client holds it; each call is matched by one {@link #release}. */
    static XnioWorker acquire() {
        synchronized (LOCK) {
            if (worker == null) {
                try {
                    worker = Xnio.getInstance(Xnio.class.getClassLoader()).createWorker(OptionMap.builder()
                            .set(Options.WORKER_NAME, "harmony-upstream")
                            .set(Options.WORKER_IO_THREADS, 2)
                            .set(Options.WORKER_TASK_CORE_THREADS, 1)
                            .set(Options.WORKER_TASK_MAX_THREADS, 8)
                            .set(Options.THREAD_DAEMON, true)
                            .getMap());
                } catch (IOException e) {
                    throw new UncheckedIOException("EventLoopClient: cannot create its I/O worker", e);
                }
            }
            users++;
            return worker;
        }
    }

    /** How many clients hold the worker now. */
    static int users() {
        synchronized (LOCK) {
            return users;
        }
    }

    /** One client is done with {@code held}; the last one shuts it down. */
    static void release(XnioWorker held) {
        synchronized (LOCK) {
            if (held != worker) {
                return; // defensive: a worker already replaced is already shut down
            }
            if (--users == 0) {
                worker.shutdown();
                worker = null;
            }
        }
    }
}
