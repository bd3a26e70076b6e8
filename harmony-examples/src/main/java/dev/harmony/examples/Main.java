package dev.harmony.examples;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * The examples runner: {@code java -jar harmony-examples.jar <command> [options]}. Each command is one
 * small class; each example pipeline is one small class whose builder code can be pasted into an app.
 *
 * <p>Exit codes: 0 done (or stopped by Ctrl-C), 1 failed while running (e.g. a demo step went wrong),
 * 2 bad usage: an unknown or malformed option, conflicting options, or a port that is already in use.
 */
public final class Main {
    /** Every subcommand, in the order {@code --help} lists them. */
    static final List<Command> COMMANDS = List.of(
            new AllCommand(),
            new DemoCommand(),
            new DicomScpCommand(),
            new FhirProxyCommand(),
            new JoltFhirCommand(),
            new MllpFhirCommand(),
            new SampleCtCommand(),
            new QueueCommand(),
            new DiagramCommand());
    /** Options every command takes; {@link #main} applies them before the command runs. */
    static final List<String> GLOBAL_FLAGS = List.of("--verbose", "--json-logs");

    private Main() {
    }

    public static void main(String[] argv) {
        // before anything logs: keep log handlers alive while shutdown hooks stop the pipelines
        System.setProperty("java.util.logging.manager", ShutdownLogManager.class.getName());
        List<String> args = Arrays.asList(argv);
        Logging.configure(args.contains("--verbose"), args.contains("--json-logs"));
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command and returns its exit code (0 ok, 1 failure, 2 bad usage or a port in use). */
    static int run(List<String> argv, PrintStream out, PrintStream err) {
        // --verbose and --json-logs are global: main() has already applied them
        List<String> args = argv.stream().filter(a -> !GLOBAL_FLAGS.contains(a)).toList();
        if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("-h") || args.get(0).equals("help")) {
            (args.isEmpty() ? err : out).print(help());
            return args.isEmpty() ? 2 : 0;
        }
        Command command = COMMANDS.stream().filter(c -> c.name().equals(args.get(0))).findFirst().orElse(null);
        if (command == null) {
            err.println("unknown command '" + args.get(0) + "'\n");
            err.print(help());
            return 2;
        }
        List<String> rest = args.subList(1, args.size());
        if (rest.contains("--help") || rest.contains("-h")) {
            out.print(command.usage());
            return 0;
        }
        Command.Run run;
        try {
            Args parsed = Args.parse(rest, command.valuedOptions(), command.flagOptions());
            checkArguments(command, parsed);
            run = command.prepare(parsed);
        } catch (IllegalArgumentException e) {
            err.println(command.name() + ": " + e.getMessage() + "\n");
            err.print(command.usage());
            return 2;
        }
        try {
            return run.run(out);
        } catch (Startup.PortInUseException e) {
            err.println(command.name() + ": " + e.getMessage());
            return 2;
        } catch (IllegalArgumentException e) {
            // a stage's build-time check the options could not foresee, e.g. a JOLT spec that does not compile
            err.println(command.name() + ": " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println(command.name() + " failed: " + e.getMessage());
            return 1;
        }
    }

    private static void checkArguments(Command command, Args args) {
        if (command.checksOwnArguments()) {
            return;
        }
        List<String> given = args.positional();
        List<String> names = command.arguments();
        if (given.size() > names.size()) {
            throw new IllegalArgumentException("unexpected argument '" + given.get(names.size()) + "'");
        }
        if (given.size() < names.size()) {
            throw new IllegalArgumentException("missing " + names.get(given.size()));
        }
    }

    static String help() {
        StringBuilder b = new StringBuilder("""
                Harmony for Java: example pipelines

                usage: java -jar harmony-examples.jar <command> [options] [--verbose] [--json-logs]
                       java -jar harmony-examples.jar <command> --help

                  --verbose     Harmony's own details (dev.harmony loggers at DEBUG); libraries stay quiet
                  --json-logs   log one JSON object per line instead of human lines

                commands:
                """);
        for (Command c : COMMANDS) {
            b.append(String.format("  %-12s %s%n", c.name(), c.summary()));
        }
        b.append("""

                exit codes: 0 done, 1 failed while running, 2 bad usage (unknown or malformed option,
                conflicting options, a port already in use); logs go to stderr, READY lines to stdout
                """);
        return b.toString();
    }
}
