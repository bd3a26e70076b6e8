package dev.harmony.examples;

import dev.harmony.queue.DestinationStatus;
import dev.harmony.queue.MessageInfo;
import dev.harmony.queue.MessageState;
import dev.harmony.queue.QueueAdmin;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code queue [--queue-dir DIR | --queue JDBC-URL] status|dead|replay|purge}: the operations API
 * ({@link QueueAdmin}) of the queues the serving commands fill, from the command line.
 */
final class QueueCommand implements Command {

    @Override
    public String name() {
        return "queue";
    }

    @Override
    public String summary() {
        return "durable delivery queues: status, dead letters, replay, purge";
    }

    @Override
    public String usage() {
        return """
                usage: queue (--queue-dir DIR | --queue JDBC-URL) <verb>
                  status                         counts per destination: pending, in flight, delivered, dead,
                                                 oldest pending age, bytes held
                  dead [DESTINATION] [--limit N] dead messages, oldest first, with their last error (default 20)
                  replay ID...                   move dead messages back to pending (attempts reset)
                  replay --all DESTINATION       replay every dead message of DESTINATION
                  purge DESTINATION dead|delivered [--older-than 7d]
                                                 delete delivered or dead messages (default: all of them)
                  --queue-dir  a journal, e.g. DIR/.queue of dicom-scp --dir DIR, or jolt-fhir's --queue-dir
                  --queue      a PostgreSQL queue: jdbc:postgresql://HOST:PORT/DB?user=U
                a journal a running runner owns can be read (status, dead) but not changed from here
                exit codes: 0 done, 1 failure (e.g. nothing to replay), 2 bad usage
                """;
    }

    @Override
    public Set<String> valuedOptions() {
        return Set.of(QueueOption.DIR, QueueOption.JDBC, "limit", "older-than", "all");
    }

    @Override
    public boolean checksOwnArguments() {
        return true; // a verb and its words
    }

    @Override
    public Run prepare(Args args) {
        List<String> words = args.positional();
        if (words.isEmpty()) {
            throw new IllegalArgumentException("name a verb: status, dead, replay or purge");
        }
        String verb = words.get(0);
        List<String> rest = words.subList(1, words.size());
        if (!Set.of("status", "dead", "replay", "purge").contains(verb)) {
            throw new IllegalArgumentException("unknown verb '" + verb + "' (status, dead, replay, purge)");
        }
        int limit = args.intValue("limit", 20);
        if (limit < 1) {
            throw new IllegalArgumentException("option --limit must be at least 1, got " + limit);
        }
        checkArguments(verb, rest, args);
        Duration olderThan = args.get("older-than").map(QueueCommand::duration).orElse(Duration.ZERO);
        QueueOption.checkAdmin(args);
        return out -> {
            try (QueueAdmin admin = QueueOption.admin(args)) {
                return switch (verb) {
                    case "status" -> status(admin, out);
                    case "dead" -> dead(admin, out, rest.isEmpty() ? null : rest.get(0), limit);
                    case "replay" -> replay(admin, out, rest, args);
                    default -> purge(admin, out, rest.get(0), MessageState.valueOf(rest.get(1).toUpperCase(Locale.ROOT)),
                            olderThan);
                };
            }
        };
    }

    private static void checkArguments(String verb, List<String> rest, Args args) {
        boolean ok = switch (verb) {
            case "status" -> rest.isEmpty();
            case "dead" -> rest.size() <= 1;
            case "replay" -> args.get("all").isPresent() ? rest.isEmpty() : !rest.isEmpty();
            default -> rest.size() == 2 && (rest.get(1).equals("dead") || rest.get(1).equals("delivered"));
        };
        if (!ok) {
            throw new IllegalArgumentException(switch (verb) {
                case "status" -> "status takes no arguments";
                case "dead" -> "dead takes at most one destination";
                case "replay" -> "replay takes message ids, or --all DESTINATION alone";
                default -> "purge takes a destination and dead or delivered, e.g. purge pacs dead --older-than 7d";
            });
        }
        if (!verb.equals("purge") && args.get("older-than").isPresent()) {
            throw new IllegalArgumentException("--older-than is for purge");
        }
        if (!verb.equals("replay") && args.get("all").isPresent()) {
            throw new IllegalArgumentException("--all is for replay");
        }
        if (!verb.equals("dead") && args.get("limit").isPresent()) {
            throw new IllegalArgumentException("--limit is for dead");
        }
    }

    private static int status(QueueAdmin admin, PrintStream out) {
        List<DestinationStatus> all = admin.status();
        if (all.isEmpty()) {
            out.println("no destinations (an empty or new queue)");
            return 0;
        }
        out.printf("%-20s %9s %9s %9s %9s %14s %14s%n", "destination", "pending", "in-flight", "delivered", "dead",
                "oldest-pending", "bytes");
        for (DestinationStatus s : all) {
            out.printf(Locale.ROOT, "%-20s %9d %9d %9d %9d %14s %14d%n", s.destination(), s.pending(), s.inFlight(),
                    s.delivered(), s.dead(), age(s.oldestPendingAge()), s.bytes());
        }
        return 0;
    }

    private static int dead(QueueAdmin admin, PrintStream out, String destination, int limit) {
        List<String> destinations = destination != null ? List.of(destination)
                : admin.status().stream().map(DestinationStatus::destination).toList();
        int shown = 0;
        for (String d : destinations) {
            for (MessageInfo m : admin.dead(d, limit)) {
                out.printf("%s  %s  %s  attempts %d  %s%n    last error: %s%n", m.id(), d, m.createdAt(), m.attempts(),
                        m.summary(), m.lastError());
                shown++;
            }
        }
        if (shown == 0) {
            out.println("no dead messages" + (destination != null ? " for " + destination : ""));
        }
        return 0;
    }

    private static int replay(QueueAdmin admin, PrintStream out, List<String> ids, Args args) {
        if (args.get("all").isPresent()) {
            String destination = args.get("all").get();
            int n = admin.replayDead(destination);
            out.println("replayed " + n + " dead message" + (n == 1 ? "" : "s") + " of " + destination);
            return 0;
        }
        int failed = 0;
        for (String id : ids) {
            if (admin.replay(id)) {
                out.println("replayed " + id);
            } else {
                out.println("not replayed " + id + ": " + admin.message(id).map(m -> "it is " + m.state()
                        .name().toLowerCase(Locale.ROOT).replace('_', ' ')).orElse("no such message"));
                failed++;
            }
        }
        return failed == 0 ? 0 : 1;
    }

    private static int purge(QueueAdmin admin, PrintStream out, String destination, MessageState state,
            Duration olderThan) {
        int n = admin.purge(destination, state, olderThan);
        out.println("purged " + n + " " + state.name().toLowerCase(Locale.ROOT) + " message" + (n == 1 ? "" : "s")
                + " of " + destination + (olderThan.isZero() ? "" : " older than " + age(olderThan)));
        return 0;
    }

    /** {@code 90s}, {@code 15m}, {@code 12h}, {@code 7d}, or ISO-8601 such as {@code PT1H30M}. */
    static Duration duration(String v) {
        try {
            if (v.matches("\\d+[smhd]")) {
                long n = Long.parseLong(v.substring(0, v.length() - 1));
                return switch (v.charAt(v.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            }
            Duration d = Duration.parse(v);
            if (!d.isNegative()) {
                return d;
            }
        } catch (RuntimeException e) {
            // reported below
        }
        throw new IllegalArgumentException("option --older-than expects e.g. 90s, 15m, 12h, 7d or PT1H, got '" + v + "'");
    }

    private static String age(Duration d) {
        long s = d.toSeconds();
        if (s < 120) {
            return s + "s";
        }
        if (s < 7200) {
            return s / 60 + "m";
        }
        if (s < 172_800) {
            return s / 3600 + "h";
        }
        return s / 86_400 + "d";
    }
}
