package dev.harmony.examples;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Runs the examples runner in process and keeps what it printed, for tests of the subcommands. */
final class RunnerHarness {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /** {@code java -jar harmony-examples.jar args...}, returning the exit code. */
    int run(String... args) {
        return Main.run(List.of(args), stdout(), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    /** A stream into what {@link #out()} returns, for commands run directly. */
    PrintStream stdout() {
        return new PrintStream(out, true, StandardCharsets.UTF_8);
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
