package dev.harmony.examples;

import dev.harmony.pipeline.Pipeline;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * How every runner command starts its parts: one after the other, each part's READY line and hints held
 * back in {@link #announce()} until {@link #ready(PrintStream)} prints them, after the last part is up.
 * A part that fails stops the ones started before it, so a failed start prints no READY line and leaves
 * nothing running. A part that cannot bind its port fails with a {@link PortInUseException} naming the
 * port and the option that moves it.
 *
 * <pre>{@code
 * try (Startup startup = new Startup()) {
 *     startup.startPipeline("--port", 11112, pipeline);
 *     startup.announce().println("READY dicom-scp " + port);
 *     startup.ready(out);                       // now, and only now, the READY lines appear
 *     Serving.untilStopped("dicom-scp", startup);
 * }
 * }</pre>
 */
public final class Startup implements AutoCloseable {
    private final List<AutoCloseable> started = new ArrayList<>();
    private final ByteArrayOutputStream held = new ByteArrayOutputStream();
    private final PrintStream announce = new PrintStream(held, true, StandardCharsets.UTF_8);

    /** Starts one part; what it throws is checked or unchecked. */
    @FunctionalInterface
    public interface Part<T extends AutoCloseable> {
        T start() throws Exception;
    }

    /** A port that is taken, with the option that moves it. The runner exits 2 on it, as on any bad option. */
    public static final class PortInUseException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        PortInUseException(String option, int port, Throwable cause) {
            super("port " + port + " is already in use (" + option + "); choose another with " + option
                    + " (0 picks a free one)", cause);
        }
    }

    /**
     * Starts {@code part}, listening on {@code port} as set by {@code option}, and keeps it to close.
     * On failure, every part started so far is closed again.
     *
     * @throws PortInUseException if the port is taken
     */
    public synchronized <T extends AutoCloseable> T start(String option, int port, Part<T> part) {
        try {
            T running = part.start();
            if (running != null) {
                started.add(running);
            }
            return running;
        } catch (Exception e) {
            close();
            if (option != null && !(e instanceof PortInUseException) && isBindFailure(e)) {
                throw new PortInUseException(option, port, e);
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * Starts a part that names its own ports (e.g. the {@code all} showcase, itself started with a
     * {@code Startup}) and keeps it to close. On failure, every part started so far is closed again.
     */
    public <T extends AutoCloseable> T start(Part<T> part) {
        return start(null, 0, part);
    }

    /** Starts {@code pipeline}, listening on {@code port} as set by {@code option}; closes it if it fails. */
    public Pipeline startPipeline(String option, int port, Pipeline pipeline) {
        return start(option, port, () -> {
            try {
                pipeline.start();
            } catch (RuntimeException e) {
                pipeline.close();
                throw e;
            }
            return pipeline;
        });
    }

    /** Where parts print their READY line and hints; held back until {@link #ready(PrintStream)}. */
    public PrintStream announce() {
        return announce;
    }

    /** Prints everything announced so far to {@code out}: call it once every part is up. */
    public synchronized void ready(PrintStream out) {
        out.print(held.toString(StandardCharsets.UTF_8));
        out.flush();
        held.reset();
    }

    /** Closes the started parts in reverse order, reporting (not throwing) failures; safe to call twice. */
    @Override
    public void close() {
        List<AutoCloseable> parts;
        synchronized (this) {
            parts = new ArrayList<>(started);
            started.clear();
        }
        Serving.closeAll(parts);
    }

    static boolean isBindFailure(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof BindException) {
                return true;
            }
        }
        return false;
    }
}
