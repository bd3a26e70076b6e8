package dev.harmony.examples;

import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/**
 * One runner subcommand, e.g. {@code diagram} or {@code dicom-scp}. Running one has two steps, so that a
 * bad option never leaves half a command running: {@link #prepare(Args)} checks every option (values,
 * files, conflicts, ports) and starts nothing; the {@link Run} it returns then starts everything.
 */
interface Command {
    /** The word typed after the jar, e.g. {@code dicom-scp}. */
    String name();

    /** One line for {@code --help}. */
    String summary();

    /** Usage text shown for {@code <command> --help} and on bad arguments. */
    String usage();

    /** Options that take a value, without the leading dashes. */
    default Set<String> valuedOptions() {
        return Set.of();
    }

    /** Options that take no value. */
    default Set<String> flagOptions() {
        return Set.of();
    }

    /** Names of the positional arguments, all required, e.g. {@code DIR}; most commands take none. */
    default List<String> arguments() {
        return List.of();
    }

    /** Whether the command checks its positional arguments itself (a verb and its words, as {@code queue}). */
    default boolean checksOwnArguments() {
        return false;
    }

    /**
     * Checks every option and returns what to run; starts, opens and writes nothing.
     *
     * @throws IllegalArgumentException naming the option that is wrong
     */
    Run prepare(Args args);

    /** A checked command line, ready to start. */
    @FunctionalInterface
    interface Run {
        /** Starts the command, printing READY lines and reports to {@code out}; returns the exit code. */
        int run(PrintStream out) throws Exception;
    }
}
