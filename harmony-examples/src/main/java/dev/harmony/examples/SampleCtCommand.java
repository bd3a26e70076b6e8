package dev.harmony.examples;

import dev.harmony.examples.bench.DicomCorpus;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@code sample-ct DIR [--count N]}: writes N Part-10 CT images (one series, 512x512 16-bit, 512 KB each)
 * into DIR, for a modality such as DCMTK {@code storescu} to send. The printed {@code storescu} lines of
 * {@code all} and {@code dicom-scp} use it.
 */
final class SampleCtCommand implements Command {
    static final String NAME = "sample-ct";
    static final int DEFAULT_COUNT = 10;
    static final int MAX_COUNT = 1000;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String summary() {
        return "write sample Part-10 CT files (one series) for storescu to send";
    }

    @Override
    public String usage() {
        return """
                usage: sample-ct DIR [--count 10]
                  DIR      where the files go (created if missing), as ct-0001.dcm, ct-0002.dcm, ...;
                           files of an earlier run with the same names are replaced
                  --count  how many images (1..%d, default %d), 512x512 16-bit CT, 512 KB each
                then: TCP_NODELAY=1 storescu -aet MODALITY -aec HARMONY 127.0.0.1 11112 DIR/*.dcm
                """.formatted(MAX_COUNT, DEFAULT_COUNT);
    }

    @Override
    public Set<String> valuedOptions() {
        return Set.of("count");
    }

    @Override
    public List<String> arguments() {
        return List.of("DIR");
    }

    @Override
    public Run prepare(Args args) {
        Path dir = Args.writableDirectory("DIR", args.positional().get(0));
        int count = args.intValue("count", DEFAULT_COUNT, 1, MAX_COUNT);
        return out -> {
            List<Path> files = DicomCorpus.write(dir, count, 1);
            out.println("wrote " + files.size() + " CT images (one series, 512x512 16-bit) to " + dir.toAbsolutePath()
                    + ": " + files.get(0).getFileName() + (files.size() > 1 ? " .. " + files.get(files.size() - 1)
                    .getFileName() : ""));
            out.println("send them: TCP_NODELAY=1 storescu -aet MODALITY -aec HARMONY 127.0.0.1 11112 "
                    + PrintedCommands.quote(dir.toString()) + "/*.dcm");
            return 0;
        };
    }
}
