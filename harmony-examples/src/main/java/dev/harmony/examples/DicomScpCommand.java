package dev.harmony.examples;

import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.DicomTls;
import dev.harmony.dicom.frontend.DicomScp;
import dev.harmony.dicom.query.DicomIndex;
import dev.harmony.examples.dicom.DicomScpExample;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.queue.DeliveryQueue;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * {@code dicom-scp [--port 11112] [--ae-title HARMONY] [--allow-calling-ae AE1,AE2] [--dir DIR]
 * [--forward-to AE@host:port [--queue-dir DIR | --queue JDBC-URL | --no-queue]] [--bind ADDRESS]
 * [--accept-private-sop-classes] [--index JDBC-URL] [--move-destination AE@host:port,...]
 * [--query-pacs AE@host:port [--query-pacs-mode relay|fetch]]}: runs
 * {@link DicomScpExample} until Ctrl-C.
 */
final class DicomScpCommand implements Command {
    private static final String PRIVATE_SOP_CLASSES = "accept-private-sop-classes";
    private static final String TLS_CERT = "tls-cert";
    private static final String TLS_KEY = "tls-key";
    private static final String TLS_TRUST = "tls-trust";
    private static final String TLS_REQUIRE_CLIENT = "tls-require-client-cert";
    private static final String QUERY_PACS = "query-pacs";
    private static final String QUERY_PACS_MODE = "query-pacs-mode";

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
                                 [--accept-private-sop-classes]
                                 [--tls-cert PEM --tls-key PEM [--tls-trust PEM] [--tls-require-client-cert]]
                                 [--index JDBC-URL] [--move-destination AE@host:port,...]
                                 [--query-pacs AE@host:port [--query-pacs-mode relay|fetch]]
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
                  --accept-private-sop-classes
                                      also accept SOP classes outside the DICOM root 1.2.840.10008
                                      (private and vendor storage classes); default: standard storage only
                  --tls-cert          serve DICOM over TLS 1.3/1.2 with this certificate chain (PEM)
                  --tls-key           its private key (PEM, unencrypted PKCS#8)
                  --tls-trust         CA or peer certificates (PEM) that client certificates must chain to
                  --tls-require-client-cert
                                      refuse modalities without a trusted client certificate
                  --index             keep the C-FIND index in PostgreSQL (jdbc:postgresql://HOST:PORT/DB?user=U),
                                      shared by several listeners; default: embedded, in DIR/.index
                  --move-destination  where C-MOVE may send (comma list of AE@host:port); a requestor names the AE
                  --query-pacs        relay C-FIND, C-MOVE and C-GET to this PACS instead of answering from the index
                                      (C-STORE still goes to --dir; a C-GET's instances come back through us)
                  --query-pacs-mode   relay (default): the PACS sends C-MOVE results straight to the destination,
                                      so it must know the destination AE titles itself (no --move-destination);
                                      fetch: we retrieve them from the PACS (C-GET) and send them on to the
                                      --move-destination the requestor names, so the PACS needs to know none
                """;
    }

    @Override
    public Set<String> valuedOptions() {
        return Set.of("port", "ae-title", "allow-calling-ae", "dir", "forward-to", "bind", DashboardOption.OPTION,
                QueueOption.DIR, QueueOption.JDBC, TLS_CERT, TLS_KEY, TLS_TRUST, ReindexCommand.INDEX,
                "move-destination", QUERY_PACS, QUERY_PACS_MODE);
    }

    @Override
    public Set<String> flagOptions() {
        return Set.of(QueueOption.OFF, PRIVATE_SOP_CLASSES, TLS_REQUIRE_CLIENT);
    }

    @Override
    public Run prepare(Args args) {
        DicomScpExample.Options defaults = DicomScpExample.Options.defaults();
        int port = args.port("port", defaults.port());
        Path dir = args.writableDirectory("dir").orElse(defaults.dir());
        DicomNode forwardTo = args.dicomNode("forward-to").orElse(null);
        java.util.Optional<DeliveryQueue.Location> chosen = QueueOption.location(args);
        if (forwardTo == null && (chosen.isPresent() || args.flag(QueueOption.OFF))) {
            throw new IllegalArgumentException("the queue options need --forward-to");
        }
        DeliveryQueue.Location queue = forwardTo == null || args.flag(QueueOption.OFF) ? null
                : chosen.orElseGet(() -> DeliveryQueue.journal(dir.resolve(".queue")));
        DicomScpExample.Options options = new DicomScpExample.Options(args.address("bind").orElse(defaults.bind()),
                port, args.aeTitle("ae-title", defaults.aeTitle()), args.aeTitles("allow-calling-ae").orElse(List.of()),
                dir, forwardTo, queue);
        if (options.forwardTo() != null && options.forwardTo().port() == port && isThisMachine(options.forwardTo().host())) {
            throw new IllegalArgumentException("option --forward-to names this listener itself (port " + port
                    + "): every stored object would be sent back to it");
        }
        boolean acceptPrivate = args.flag(PRIVATE_SOP_CLASSES);
        DicomTls tls = tls(args);
        UnaryOperator<DicomScp.Builder> listener = b -> b.acceptPrivateSopClasses(acceptPrivate).tls(tls);
        DashboardOption.Spec dashboard = DashboardOption.requested(args);
        Args.requireDistinctPorts(ports(port, dashboard));
        String indexUrl = ReindexCommand.indexUrl(args);
        List<DicomNode> moveDestinations = new java.util.ArrayList<>();
        for (String spec : args.get("move-destination").map(v -> v.split(",")).orElse(new String[0])) {
            try {
                moveDestinations.add(DicomNode.parse(spec.trim()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("option --move-destination: " + e.getMessage());
            }
        }
        DicomNode queryPacs = args.dicomNode(QUERY_PACS).orElse(null);
        String mode = args.get(QUERY_PACS_MODE).orElse("relay");
        if (!mode.equals("relay") && !mode.equals("fetch")) {
            throw new IllegalArgumentException("option --" + QUERY_PACS_MODE + " expects relay or fetch, not '" + mode + "'");
        }
        boolean fetch = mode.equals("fetch");
        if (args.get(QUERY_PACS_MODE).isPresent() && queryPacs == null) {
            throw new IllegalArgumentException("option --" + QUERY_PACS_MODE + " needs --" + QUERY_PACS);
        }
        if (fetch && moveDestinations.isEmpty()) {
            throw new IllegalArgumentException("option --" + QUERY_PACS_MODE + " fetch needs --move-destination: where"
                    + " the fetched instances may be sent");
        }
        if (queryPacs != null) {
            // Relayed, the PACS sends moves itself: our destinations would be silently unused.
            if (!fetch && !moveDestinations.isEmpty()) {
                throw new IllegalArgumentException("option --" + QUERY_PACS + " contradicts --move-destination: the PACS"
                        + " sends C-MOVE results itself (configure the destinations in the PACS, or use --"
                        + QUERY_PACS_MODE + " fetch)");
            }
            if (indexUrl != null) {
                throw new IllegalArgumentException("option --" + QUERY_PACS + " contradicts --index: queries go to the PACS");
            }
            if (queryPacs.port() == port && isThisMachine(queryPacs.host())) {
                throw new IllegalArgumentException("option --" + QUERY_PACS + " names this listener itself (port " + port
                        + "): every query would be sent back to it");
            }
        }
        return out -> {
            try (Startup startup = new Startup(); DicomIndex index = indexUrl == null ? null : DicomIndex.postgres(indexUrl)) {
                Pipeline pipeline = startup.startPipeline("--port", port, DicomScpExample.pipeline(options, index, queryPacs,
                        fetch ? moveDestinations : List.of(),
                        b -> listener.apply(b).moveDestinations(moveDestinations.toArray(DicomNode[]::new))));
                int bound = ((DicomScp) pipeline.frontend()).localPort();
                PrintStream announce = startup.announce();
                announce.println("READY dicom-scp " + bound);
                if (queryPacs != null) {
                    announce.println(fetch ? "C-FIND and C-GET are relayed to " + queryPacs + "; C-MOVE is fetched from it"
                            + " (C-GET) and sent on to the --move-destination"
                            : "C-FIND, C-MOVE and C-GET are relayed to " + queryPacs);
                }
                if (options.forwardTo() != null) {
                    announce.println("forwarding to " + options.forwardTo() + (queue == null ? " synchronously (--no-queue)"
                            : " through the queue " + queueDescription(args, dir)));
                }
                announce.println("files go to " + options.dir().toAbsolutePath() + "; try (DCMTK):");
                String caller = options.allowedCallingAes().isEmpty() ? "MODALITY" : options.allowedCallingAes().get(0);
                for (String line : PrintedCommands.dicom(caller, options.aeTitle(), reachableHost(options.bind()), bound)) {
                    announce.println("  " + line);
                }
                announce.println("  " + PrintedCommands.findStudies(caller, options.aeTitle(), reachableHost(options.bind()),
                        bound));
                if (dashboard != null) {
                    startup.start("--dashboard", dashboard.port(), () -> dashboard.start(announce, null));
                }
                startup.ready(out);
                Serving.untilStopped(name(), startup);
            }
            return 0;
        };
    }

    /** The listener's TLS settings from the options, or null; every mistake is a usage error. */
    static DicomTls tls(Args args) {
        java.util.Optional<Path> cert = args.readableFile(TLS_CERT);
        java.util.Optional<Path> key = args.readableFile(TLS_KEY);
        java.util.Optional<Path> trust = args.readableFile(TLS_TRUST);
        if (cert.isEmpty() != key.isEmpty()) {
            throw new IllegalArgumentException("options --" + TLS_CERT + " and --" + TLS_KEY + " go together");
        }
        if (cert.isEmpty() && (trust.isPresent() || args.flag(TLS_REQUIRE_CLIENT))) {
            throw new IllegalArgumentException("the TLS options need --" + TLS_CERT + " and --" + TLS_KEY);
        }
        if (args.flag(TLS_REQUIRE_CLIENT) && trust.isEmpty()) {
            throw new IllegalArgumentException("option --" + TLS_REQUIRE_CLIENT + " needs --" + TLS_TRUST
                    + " (the certificates client certificates must chain to)");
        }
        if (cert.isEmpty()) {
            return null;
        }
        DicomTls tls = DicomTls.fromPem(cert.get(), key.get()).requireClientCertificate(args.flag(TLS_REQUIRE_CLIENT));
        return trust.map(tls::trusting).orElse(tls);
    }

    /** Where the queue is, and how to look into it. */
    private static String queueDescription(Args args, Path dir) {
        if (args.get(QueueOption.JDBC).isPresent()) {
            return "in PostgreSQL (queue --queue URL status)";
        }
        String journal = args.get(QueueOption.DIR).orElse(dir.resolve(".queue").toString());
        return Path.of(journal).toAbsolutePath() + " (queue --queue-dir " + journal + " status)";
    }

    static Map<String, Integer> ports(int port, DashboardOption.Spec dashboard) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("--port", port);
        if (dashboard != null) {
            ports.put("--dashboard", dashboard.port());
        }
        return ports;
    }

    private static boolean isThisMachine(String host) {
        try {
            InetAddress a = InetAddress.getByName(host);
            return a.isLoopbackAddress() || a.isAnyLocalAddress() || NetworkInterface.getByInetAddress(a) != null;
        } catch (UnknownHostException | SocketException e) {
            return false; // not resolvable now: it may be later, and it is not us
        }
    }

    /** Where a client on this machine reaches a listener bound to {@code bind}: loopback for the wildcard. */
    static String reachableHost(String bind) {
        try {
            return InetAddress.getByName(bind).isAnyLocalAddress() ? "127.0.0.1" : bind;
        } catch (UnknownHostException e) {
            return bind;
        }
    }
}
