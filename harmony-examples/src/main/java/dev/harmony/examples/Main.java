package dev.harmony.examples;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * The examples runner: {@code java -jar harmony-examples.jar <command> [options]}. Each command is one
 * small class; each example pipeline is one small class whose builder code can be pasted into an app.
 */
public final class Main {
    /** Every subcommand, in the order {@code --help} lists them. */
    static final List<Command> COMMANDS = List.of(
            new AllCommand(),
            new DemoCommand(),
            new DicomScpCommand(),
            new FhirProxyCommand(),
            new JoltFhirCommand(),
            new QueueCommand(),
            new DiagramCommand());

    private Main() {
    }

    public static void main(String[] argv) {
        // before anything logs: keep log handlers alive while shutdown hooks stop the pipelines
        System.setProperty("java.util.logging.manager", ShutdownLogManager.class.getName());
        List<String> args = Arrays.asList(argv);
        Logging.configure(args.contains("--verbose"), args.contains("--json-logs"));
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command and returns its exit code (0 ok, 1 failure, 2 bad usage). */
    static int run(List<String> argv, PrintStream out, PrintStream err) {
        if (argv.isEmpty() || argv.get(0).equals("--help") || argv.get(0).equals("-h") || argv.get(0).equals("help")) {
            out.print(help());
            return argv.isEmpty() ? 2 : 0;
        }
        Command command = COMMANDS.stream().filter(c -> c.name().equals(argv.get(0))).findFirst().orElse(null);
        if (command == null) {
            err.println("unknown command '" + argv.get(0) + "'\n");
            err.print(help());
            return 2;
        }
        // --verbose and --json-logs are global: main() has already applied them
        List<String> rest = argv.subList(1, argv.size()).stream()
                .filter(a -> !a.equals("--verbose") && !a.equals("--json-logs")).toList();
        if (rest.contains("--help") || rest.contains("-h")) {
            out.print(command.usage());
            return 0;
        }
        try {
            return command.run(Args.parse(rest, command.valuedOptions(), command.flagOptions()));
        } catch (IllegalArgumentException e) {
            err.println(command.name() + ": " + e.getMessage() + "\n");
            err.print(command.usage());
            return 2;
        } catch (Exception e) {
            err.println(command.name() + " failed: " + e.getMessage());
            return 1;
        }
    }

    static String help() {
        StringBuilder b = new StringBuilder("""
                Harmony for Java: example pipelines

                usage: java -jar harmony-examples.jar <command> [options] [--verbose] [--json-logs]
                       java -jar harmony-examples.jar <command> --help

                  --verbose     log details (DEBUG), including library logs
                  --json-logs   log one JSON object per line instead of human lines

                commands:
                """);
        for (Command c : COMMANDS) {
            b.append(String.format("  %-12s %s%n", c.name(), c.summary()));
        }
        return b.toString();
    }
}
