package dev.harmony.examples;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Runner logging: concise human lines at INFO by default, {@code --verbose} for detail, {@code --json-logs}
 * for one JSON object per line. Logs go to stderr so READY lines and reports on stdout stay clean.
 */
final class Logging {
    /** The loggers --verbose opens up. */
    static final String HARMONY = "dev.harmony";
    /** Libraries that are chatty at INFO; they speak at WARNING. */
    private static final String[] NOISY = {"org.xnio", "io.undertow", "org.jboss", "ca.uhn.fhir",
        "org.hl7", "com.networknt"};
    /** JUL holds loggers weakly: keep the ones we configured, or their levels are forgotten. */
    private static final java.util.List<Logger> CONFIGURED = new java.util.ArrayList<>();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS")
            .withZone(ZoneId.systemDefault());

    private Logging() {
    }

    /**
     * Everything at INFO and up, human or JSON lines, on stderr. {@code verbose} turns on DEBUG for
     * Harmony's own loggers ({@code dev.harmony.*}) only: the JDK's internals (its HTTP client alone logs
     * thousands of FINE lines a second) and libraries stay at their usual level.
     */
    static void configure(boolean verbose, boolean json) {
        Logger root = Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            root.removeHandler(h);
        }
        ConsoleHandler console = new ConsoleHandler();
        console.setLevel(verbose ? Level.FINE : Level.INFO);
        console.setFormatter(json ? new JsonLines() : new HumanLines());
        root.addHandler(console);
        root.setLevel(Level.INFO);
        Logger harmony = Logger.getLogger(HARMONY);
        harmony.setLevel(verbose ? Level.FINE : Level.INFO);
        CONFIGURED.add(harmony);
        for (String noisy : NOISY) {
            Logger logger = Logger.getLogger(noisy);
            logger.setLevel(Level.WARNING);
            CONFIGURED.add(logger);
        }
    }

    /** {@code 09:12:33.123 INFO  pipeline.dicom-scp  message}. */
    static final class HumanLines extends Formatter {
        @Override
        public String format(LogRecord r) {
            StringBuilder b = new StringBuilder()
                    .append(TIME.format(r.getInstant())).append(' ')
                    .append(String.format("%-5s", name(r.getLevel()))).append(' ')
                    .append(shortLogger(r.getLoggerName())).append("  ")
                    .append(formatMessage(r)).append(System.lineSeparator());
            if (r.getThrown() != null) {
                b.append(stackTrace(r.getThrown()));
            }
            return b.toString();
        }
    }

    /** One JSON object per line: ts, level, logger, thread, msg, error. */
    static final class JsonLines extends Formatter {
        @Override
        public String format(LogRecord r) {
            StringBuilder b = new StringBuilder("{\"ts\":\"").append(Instant.ofEpochMilli(r.getMillis()))
                    .append("\",\"level\":\"").append(name(r.getLevel()))
                    .append("\",\"logger\":").append(quote(r.getLoggerName()))
                    .append(",\"thread\":").append(r.getLongThreadID())
                    .append(",\"msg\":").append(quote(formatMessage(r)));
            if (r.getThrown() != null) {
                b.append(",\"error\":").append(quote(stackTrace(r.getThrown())));
            }
            return b.append('}').append(System.lineSeparator()).toString();
        }
    }

    static String name(Level level) {
        if (level.intValue() >= Level.SEVERE.intValue()) {
            return "ERROR";
        }
        if (level.intValue() >= Level.WARNING.intValue()) {
            return "WARN";
        }
        if (level.intValue() >= Level.INFO.intValue()) {
            return "INFO";
        }
        return level.intValue() >= Level.FINE.intValue() ? "DEBUG" : "TRACE";
    }

    /** {@code dev.harmony.pipeline.dicom-scp} -> {@code pipeline.dicom-scp}; other names keep their last two parts. */
    static String shortLogger(String name) {
        if (name == null) {
            return "-";
        }
        String trimmed = name.startsWith("dev.harmony.") ? name.substring("dev.harmony.".length()) : name;
        int last = trimmed.lastIndexOf('.');
        int before = last > 0 ? trimmed.lastIndexOf('.', last - 1) : -1;
        return before >= 0 ? trimmed.substring(before + 1) : trimmed;
    }

    static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    private static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
