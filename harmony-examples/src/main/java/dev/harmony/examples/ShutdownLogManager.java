package dev.harmony.examples;

import java.util.logging.LogManager;

/**
 * A {@link LogManager} that keeps its handlers while the JVM shuts down. The JDK's manager resets them
 * in its own shutdown hook, racing the runner's hooks, so "pipeline stopped" lines after Ctrl-C would
 * be lost. {@link Main} installs it before anything logs.
 */
public final class ShutdownLogManager extends LogManager {

    /** Called by {@link LogManager} through reflection. */
    public ShutdownLogManager() {
        super();
    }

    @Override
    public void reset() {
        if (!shuttingDown()) {
            super.reset();
        }
    }

    private static boolean shuttingDown() {
        try {
            Thread probe = new Thread(() -> { });
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true; // hooks cannot be added once shutdown has begun
        }
    }
}
