package dev.harmony.examples;

import java.util.Set;

/** One runner subcommand, e.g. {@code diagram} or {@code dicom-scp}. */
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

    /** Runs the command; returns the process exit code. */
    int run(Args args) throws Exception;
}
