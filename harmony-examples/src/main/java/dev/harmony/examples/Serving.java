package dev.harmony.examples;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;

/** How the serving subcommands run: until Ctrl-C or SIGTERM, then close what they started. */
final class Serving {
    private Serving() {
    }

    /**
     * Blocks until the JVM is asked to stop, then closes {@code parts} in reverse order. The shutdown hook
     * closes them itself, since the JVM may halt before the waiting thread resumes. Null parts are skipped
     * (e.g. a dashboard that was not asked for).
     */
    static void untilStopped(String name, AutoCloseable... parts) throws InterruptedException {
        List<AutoCloseable> started = new ArrayList<>(Arrays.stream(parts).filter(Objects::nonNull).toList());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            closeAll(started);
            stopped.countDown();
        }, name + "-shutdown"));
        stopped.await();
    }

    /** Closes {@code parts} in reverse order, reporting (not throwing) failures. Safe to call twice. */
    static synchronized void closeAll(List<AutoCloseable> parts) {
        for (int i = parts.size() - 1; i >= 0; i--) {
            try {
                parts.get(i).close();
            } catch (Exception e) {
                System.err.println("stopping " + parts.get(i) + " failed: " + e.getMessage());
            }
        }
        parts.clear();
    }
}
