package dev.harmony.examples.all;

import dev.harmony.diagram.DiagramRenderer;
import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.frontend.DicomScp;
import dev.harmony.examples.PrintedCommands;
import dev.harmony.examples.Startup;
import dev.harmony.examples.dicom.DicomScpExample;
import dev.harmony.examples.fhirproxy.DemoTokens;
import dev.harmony.examples.fhirproxy.FhirProxyExample;
import dev.harmony.examples.fhirproxy.FhirProxyServer;
import dev.harmony.examples.joltfhir.JoltFhirExample;
import dev.harmony.examples.joltfhir.JoltFhirServer;
import dev.harmony.examples.mllpfhir.MllpFhirServer;
import dev.harmony.fhir.backend.FhirAuth;
import dev.harmony.fhir.server.EmbeddedFhirServer;
import dev.harmony.http.dashboard.PipelineMetrics;
import dev.harmony.pipeline.Pipeline;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The three seed pipelines running side by side in one JVM, as {@code all} starts them: the DICOM SCP,
 * the FHIR proxy in front of an embedded FHIR R4 server, and the JOLT webhook posting into that same
 * server; plus mllp-fhir, HL7 v2 over MLLP into that server too. Every pipeline is observed by one {@link PipelineMetrics}, which the demo report reads.
 */
public final class Showcase implements AutoCloseable {
    private final Startup parts = new Startup();
    private final PipelineMetrics metrics = PipelineMetrics.create();
    private final ShowcaseSettings settings;
    private EmbeddedFhirServer fhir;
    private Pipeline dicom;
    private FhirProxyServer proxy;
    private JoltFhirServer jolt;
    private MllpFhirServer mllp;
    private String secret;

    private Showcase(ShowcaseSettings settings) {
        this.settings = settings;
    }

    /**
     * Starts everything, then prints each pipeline's diagram, READY line and commands to try: nothing is
     * printed unless all three are up. On failure whatever had started is stopped again.
     *
     * @throws Startup.PortInUseException when a port is taken, naming the option that changes it
     */
    public static Showcase start(ShowcaseSettings settings, PrintStream out) {
        Showcase s = new Showcase(settings);
        try {
            s.startAll(s.parts.announce());
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        s.parts.ready(out);
        return s;
    }

    private void startAll(PrintStream out) {
        if (settings.needsEmbeddedFhir()) {
            fhir = parts.start("--fhir-port", settings.fhirPort(),
                    () -> EmbeddedFhirServer.onPort(settings.fhirPort(), true).start());
            out.println("embedded FHIR R4 server (in memory, sample patients): " + fhir.baseUrl());
        }
        Pipeline built = DicomScpExample.pipeline(new DicomScpExample.Options(settings.dicomPort(),
                settings.dicomAeTitle(), settings.allowedCallingAes(), settings.dicomDir(), null));
        built.addListener(metrics);
        dicom = parts.startPipeline("--dicom-port", settings.dicomPort(), built);
        printDicom(out);

        secret = DemoTokens.newSecret();
        URI upstream = settings.upstream() != null ? settings.upstream() : fhir.baseUrl();
        ByteArrayOutputStream proxyOut = new ByteArrayOutputStream();
        proxy = parts.start("--proxy-port", settings.proxyPort(), () -> FhirProxyServer.start(settings.proxyPort(),
                "127.0.0.1", upstream, new FhirProxyServer.Keys(secret, null, null, null, null),
                FhirProxyExample.defaultRateLimit(), printer(proxyOut)));
        proxy.pipeline().addListener(metrics);
        proxy.pipeline().addListener(new RequestLog("fhir-proxy"));
        printProxy(out, proxyOut);

        URI store = settings.fhirBase() != null ? settings.fhirBase() : fhir.baseUrl();
        ByteArrayOutputStream joltOut = new ByteArrayOutputStream();
        jolt = parts.start("--webhook-port", settings.webhookPort(), () -> JoltFhirServer.start(settings.webhookPort(),
                JoltFhirExample.DEFAULT_PATH, store, null, printer(joltOut)));
        jolt.pipeline().addListener(metrics);
        jolt.pipeline().addListener(new RequestLog("jolt-fhir"));
        out.println();
        out.print(DiagramRenderer.text().render(jolt.pipeline().diagram()));
        out.print(joltOut.toString(StandardCharsets.UTF_8));

        ByteArrayOutputStream mllpOut = new ByteArrayOutputStream();
        mllp = parts.start("--mllp-port", settings.mllpPort(), () -> MllpFhirServer.start(settings.mllpPort(), store,
                null, FhirAuth.none(), printer(mllpOut)));
        mllp.pipeline().addListener(metrics);
        mllp.pipeline().addListener(new RequestLog("mllp-fhir"));
        out.println();
        out.print(DiagramRenderer.text().render(mllp.pipeline().diagram()));
        out.print(mllpOut.toString(StandardCharsets.UTF_8));
    }

    private void printDicom(PrintStream out) {
        int port = dicomPort();
        out.println();
        out.print(DiagramRenderer.text().render(dicom.diagram()));
        out.println("READY dicom-scp " + port);
        String caller = settings.allowedCallingAes().isEmpty() ? "MODALITY" : settings.allowedCallingAes().get(0);
        out.println("files go to " + settings.dicomDir().toAbsolutePath() + "; try (DCMTK):");
        for (String line : PrintedCommands.dicom(caller, settings.dicomAeTitle(), "127.0.0.1", port)) {
            out.println("  " + line);
        }
        out.println("  (calling AE titles admitted: " + String.join(", ", settings.allowedCallingAes()) + ")");
    }

    private void printProxy(PrintStream out, ByteArrayOutputStream proxyOut) {
        out.println();
        out.print(DiagramRenderer.text().render(proxy.pipeline().diagram()));
        out.print(proxyOut.toString(StandardCharsets.UTF_8));
        String token = sampleToken();
        out.println("a sample token for this run (HS256, subject demo-user, valid 1 h):");
        out.println("  " + token);
        out.println("try:");
        out.println("  curl -sS -H 'Authorization: Bearer " + token + "' '" + proxy.baseUrl() + "/Patient?family=Doe'");
        out.println("  curl -sS '" + proxy.baseUrl() + "/Patient'    # no token: 401 OperationOutcome");
    }

    /** A fresh valid token for the proxy (subject {@code demo-user}, 1 hour). */
    public String sampleToken() {
        return DemoTokens.sample(secret, null, null, Duration.ofHours(1));
    }

    /** A token signed with another secret: the proxy must refuse it. */
    public String forgedToken() {
        return DemoTokens.sample(DemoTokens.newSecret(), null, null, Duration.ofHours(1));
    }

    public Pipeline dicomPipeline() {
        return dicom;
    }

    public int dicomPort() {
        return ((DicomScp) dicom.frontend()).localPort();
    }

    /** The DICOM listener as an SCU addresses it. */
    public DicomNode dicomNode() {
        return DicomNode.parse(settings.dicomAeTitle() + "@127.0.0.1:" + dicomPort());
    }

    public FhirProxyServer proxy() {
        return proxy;
    }

    public JoltFhirServer jolt() {
        return jolt;
    }

    /** The HL7 v2 over MLLP to FHIR pipeline, into the same store as the JOLT webhook. */
    public MllpFhirServer mllp() {
        return mllp;
    }

    public ShowcaseSettings settings() {
        return settings;
    }

    /** The FHIR store the JOLT pipeline writes to. */
    public URI fhirStore() {
        return jolt.fhirBase();
    }

    public PipelineMetrics metrics() {
        return metrics;
    }

    /** The three seed pipelines in seed order, then mllp-fhir. */
    public List<Pipeline> pipelines() {
        return List.of(dicom, proxy.pipeline(), jolt.pipeline(), mllp.pipeline());
    }

    /** Stops everything this showcase started, in reverse order; safe to call twice. */
    @Override
    public void close() {
        parts.close();
    }

    /** The example servers print their READY line and hints; we collect them to show after each diagram. */
    private static PrintStream printer(ByteArrayOutputStream buffer) {
        return new PrintStream(buffer, true, StandardCharsets.UTF_8);
    }
}
