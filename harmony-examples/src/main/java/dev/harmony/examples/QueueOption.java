package dev.harmony.examples;

import dev.harmony.queue.DeliveryQueue;
import dev.harmony.queue.QueueAdmin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The runner's queue options, shared by the serving commands and {@code queue}: {@code --queue-dir DIR}
 * (a journal) or {@code --queue jdbc:postgresql://...} (a PostgreSQL queue several runners can share).
 */
final class QueueOption {
    static final String DIR = "queue-dir";
    static final String JDBC = "queue";
    static final String OFF = "no-queue";

    private QueueOption() {
    }

    /** Where the queue lives, as the options say; empty when neither option is given. */
    static Optional<DeliveryQueue.Location> location(Args args) {
        Optional<String> dir = args.get(DIR);
        Optional<String> url = args.get(JDBC);
        if (dir.isPresent() && url.isPresent()) {
            throw new IllegalArgumentException("give --" + DIR + " or --" + JDBC + ", not both");
        }
        if (args.flag(OFF) && (dir.isPresent() || url.isPresent())) {
            throw new IllegalArgumentException("--" + OFF + " contradicts --" + (dir.isPresent() ? DIR : JDBC));
        }
        if (url.isPresent()) {
            return Optional.of(DeliveryQueue.postgres(checkedUrl(url.get())));
        }
        return dir.map(d -> DeliveryQueue.journal(Args.writableDirectory("option --" + DIR, d)));
    }

    /** Checks that exactly one queue option names a queue, without opening it. */
    static void checkAdmin(Args args) {
        Optional<String> dir = args.get(DIR);
        Optional<String> url = args.get(JDBC);
        if (dir.isPresent() == url.isPresent()) {
            throw new IllegalArgumentException("give exactly one of --" + DIR + " DIR and --" + JDBC + " JDBC-URL");
        }
        url.ifPresent(QueueOption::checkedUrl);
        if (dir.isPresent() && !Files.isDirectory(Path.of(dir.get()))) {
            throw new IllegalArgumentException("option --" + DIR + ": no queue at '" + dir.get() + "' (not a directory)");
        }
    }

    /** The operations API over the queue the options name (see {@link #checkAdmin}). */
    static QueueAdmin admin(Args args) {
        checkAdmin(args);
        Optional<String> dir = args.get(DIR);
        Optional<String> url = args.get(JDBC);
        return url.isPresent() ? QueueAdmin.postgres(checkedUrl(url.get())) : QueueAdmin.journal(Path.of(dir.get()));
    }

    private static String checkedUrl(String url) {
        if (!url.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException("option --" + JDBC + " expects jdbc:postgresql://HOST:PORT/DB?user=U, got '"
                    + url + "'");
        }
        return url;
    }
}
