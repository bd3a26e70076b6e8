package dev.harmony.http.dashboard;

import java.util.List;

/**
 * Where the dashboard reads delivery-queue figures. harmony-queue provides one (found with
 * {@link java.util.ServiceLoader}, listing every queue running in this JVM), so the dashboard shows
 * queues without depending on that module; {@link Dashboard.Builder#queues} sets another.
 */
public interface QueueSource {
    /** The figures of each destination, as of now. */
    List<QueueFigures> queueFigures();

    /** Every provider on the class path, merged. */
    static QueueSource installed() {
        List<QueueSource> found = java.util.ServiceLoader.load(QueueSource.class, QueueSource.class.getClassLoader())
                .stream().map(java.util.ServiceLoader.Provider::get).toList();
        return () -> found.stream().flatMap(s -> s.queueFigures().stream()).toList();
    }
}
