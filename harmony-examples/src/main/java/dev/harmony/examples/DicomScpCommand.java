package dev.harmony.examples;

import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.frontend.DicomScp;
import dev.harmony.examples.dicom.DicomScpExample;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.queue.DeliveryQueue;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code dicom-scp [--port 11112] [--ae-title HARMONY] [--allow-calling-ae AE1,AE2] [--dir DIR]
 * [--forward-to AE@host:port [--queue-dir DIR | --queue JDBC-URL | --no-queue]] [--bind ADDRESS]}: runs {@link DicomScpExample} until Ctrl-C.
 */
final class DicomScpCommand implements Command {

    @Override
    public String name() {
        return "dicom-scp";
    }

    @Override
    public String summary() {
        return "DICOM listener -> AE title check -> Part-10 files (-> forward to a PACS)";
    }

    @Override
    public String usage() {
        return """
                usage: dicom-scp [--port 11112] [--ae-title HARMONY] [--allow-calling-ae AE1,AE2]
                                 [--dir ./harmony-data/dicom] [--forward-to AE@host:port] [--bind 0.0.0.0]
                                 [--queue-dir DIR | --queue JDBC-URL | --no-queue] [--dashboard [ADDR:]PORT]
                  --port              listener port (default 11112, 0 = any free port)
                  --bind              address to listen on (default 0.0.0.0, all interfaces)
                  --ae-title          our AE title (default HARMONY)
                  --allow-calling-ae  comma-separated calling AE titles to admit (default: any)
                  --dir               where Part-10 files go, as Study/Series/SOPInstance.dcm
                  --forward-to        also forward every stored object to this PACS (one PACS), through a
                                      durable queue: the modality gets 0000 once the object is on disk,
                                      the PACS gets it when it can (retries through outages, survives restarts)
                  --queue-dir         the queue's journal (default DIR/.queue, DIR from --dir)
                  --queue             a PostgreSQL queue instead: jdbc:postgresql://HOST:PORT/DB?user=U
                  --no-queue          forward synchronously: the modality waits for the PACS's answer
                  --dashboard         also serve the live dashboard on [ADDR:]PORT
                """;
    }

    @Override
    public Set<String> valuedOptions() {
        return Set.of("port", "ae-title", "allow-calling-ae", "dir", "forward-to", "bind", DashboardOption.OPTION,
                QueueOption.DIR, QueueOption.JDBC);
    }

    @Override
    public Set<String> flagOptions() {
        return Set.of(QueueOption.OFF);
    }

    @Override
    public int run(Args args) throws Exception {
        DicomScpExample.Options defaults = DicomScpExample.Options.defaults();
        List<String> allowed = args.list("allow-calling-ae").orElse(List.of());
        Path dir = args.get("dir").map(Path::of).orElse(defaults.dir());
        DicomNode forwardTo = args.get("forward-to").map(DicomNode::parse).orElse(null);
        Optional<DeliveryQueue.Location> chosen = QueueOption.location(args);
        if (forwardTo == null && (chosen.isPresent() || args.flag(QueueOption.OFF))) {
            throw new IllegalArgumentException("the queue options need --forward-to");
        }
        DeliveryQueue.Location queue = forwardTo == null || args.flag(QueueOption.OFF) ? null
                : chosen.orElseGet(() -> DeliveryQueue.journal(dir.resolve(".queue")));
        DicomScpExample.Options options = new DicomScpExample.Options(args.get("bind", defaults.bind()),
                args.port("port", defaults.port()),
                args.get("ae-title", defaults.aeTitle()), allowed,
                dir, forwardTo, queue);
        Pipeline pipeline = DicomScpExample.pipeline(options);
        pipeline.start();
        System.out.println("READY dicom-scp " + ((DicomScp) pipeline.frontend()).localPort());
        System.out.flush();
        Serving.untilStopped(name(), pipeline, DashboardOption.startIfRequested(args));
        return 0;
    }
}
