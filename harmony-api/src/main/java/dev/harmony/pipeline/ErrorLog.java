package dev.harmony.pipeline;

import java.io.PrintStream;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPLoggerFactory;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * Logs an internal failure, and makes sure the first one is seen even when the application has no SLF4J
 * provider: then SLF4J falls back to a no-op logger and the stack trace behind an INTERNAL correlation id
 * would be lost, so the first such failure goes to {@code System.err} once, with a hint to add a binding.
 * An application that chose slf4j-nop on purpose has a provider and is left silent.
 */
final class ErrorLog {
    private static final ErrorLog PROCESS = new ErrorLog(ErrorLog::noProvider, () -> System.err);

    private final BooleanSupplier loggingLost;
    private final Supplier<PrintStream> err;
    private final AtomicBoolean printed = new AtomicBoolean();
    private volatile Boolean lost; // decided on the first failure, when SLF4J is surely initialised

    ErrorLog(BooleanSupplier loggingLost, Supplier<PrintStream> err) {
        this.loggingLost = loggingLost;
        this.err = err;
    }

    /** Logs {@code failure} at ERROR with an SLF4J-style {@code format}; see the class comment. */
    static void error(Logger log, Throwable failure, String format, Object... args) {
        PROCESS.log(log, failure, format, args);
    }

    void log(Logger log, Throwable failure, String format, Object... args) {
        Object[] withFailure = new Object[args.length + 1];
        System.arraycopy(args, 0, withFailure, 0, args.length);
        withFailure[args.length] = failure;
        log.error(format, withFailure);
        Boolean l = lost;
        if (l == null) {
            lost = l = loggingLost.getAsBoolean();
        }
        if (l && printed.compareAndSet(false, true)) {
            PrintStream out = err.get();
            synchronized (out) {
                out.println("harmony: " + MessageFormatter.basicArrayFormat(format, args));
                failure.printStackTrace(out);
                out.println("harmony: no SLF4J provider is on the classpath, so Harmony's log goes nowhere; only"
                        + " this first internal error is printed here. Add a binding such as"
                        + " org.slf4j:slf4j-simple or ch.qos.logback:logback-classic to see all of them.");
            }
        }
    }

    static boolean noProvider() {
        return LoggerFactory.getILoggerFactory() instanceof NOPLoggerFactory
                && !ServiceLoader.load(SLF4JServiceProvider.class, LoggerFactory.class.getClassLoader())
                        .iterator().hasNext();
    }
}
