package dev.harmony.examples;

import dev.harmony.dicom.query.DicomIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code reindex --dir DIR [--index JDBC-URL]}: rebuilds the C-FIND index of a {@code dicom-scp} store
 * from its Part-10 files (the embedded index in {@code DIR/.index}, or a PostgreSQL one).
 */
final class ReindexCommand implements Command {
    static final String INDEX = "index";

    @Override
    public String name() {
        return "reindex";
    }

    @Override
    public String summary() {
        return "rebuild dicom-scp's C-FIND index from the stored files";
    }

    @Override
    public String usage() {
        return """
                usage: reindex --dir DIR [--index JDBC-URL]
                  --dir    the store of dicom-scp --dir DIR; its rows are rebuilt from the files in one transaction
                  --index  a PostgreSQL index (jdbc:postgresql://HOST:PORT/DB?user=U); default: the embedded
                           one in DIR/.index, which only one process can open: stop dicom-scp first
                """;
    }

    @Override
    public Set<String> valuedOptions() {
        return Set.of("dir", INDEX);
    }

    /** The {@code --index} URL, checked, or null for the embedded index. */
    static String indexUrl(Args args) {
        String url = args.get(INDEX).orElse(null);
        if (url != null && !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("option --index: expected jdbc:postgresql://HOST:PORT/DB?user=U, got '"
                    + url + "'");
        }
        return url;
    }

    @Override
    public Run prepare(Args args) {
        Path dir = args.get("dir").map(Path::of)
                .orElseThrow(() -> new IllegalArgumentException("option --dir is required"));
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("option --dir: " + dir + " is not a directory");
        }
        String url = indexUrl(args);
        return out -> {
            long started = System.nanoTime();
            try (DicomIndex index = url == null ? DicomIndex.embedded(dir.resolve(".index")) : DicomIndex.postgres(url)) {
                int n = index.reindex(dir);
                out.println("indexed " + n + " instances under " + dir.toAbsolutePath() + " in "
                        + (System.nanoTime() - started) / 1_000_000 + " ms (" + index.description() + ")");
            }
            return 0;
        };
    }
}
