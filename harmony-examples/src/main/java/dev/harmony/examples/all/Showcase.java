package dev.harmony.examples.all;

import dev.harmony.diagram.DiagramRenderer;
import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.frontend.DicomScp;
import dev.harmony.examples.dicom.DicomScpExample;
import dev.harmony.examples.fhirproxy.DemoTokens;
import dev.harmony.examples.fhirproxy.FhirProxyExample;
import dev.harmony.examples.fhirproxy.FhirProxyServer;
import dev.harmony.examples.joltfhir.JoltFhirExample;
import dev.harmony.examples.joltfhir.JoltFhirServer;
import dev.harmony.fhir.server.EmbeddedFhirServer;
import dev.harmony.http.dashboard.PipelineMetrics;
import dev.harmony.pipeline.Pipeline;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The three seed pipelines running side by side in one JVM, as {@code all} starts them: the DICOM SCP,
 * the FHIR proxy in front of an embedded FHIR R4 server, and the JOLT webhook posting into that same
 * server. Every pipeline is observed by one {@link PipelineMetrics}, which the demo report reads.
 */
public final class Showcase implements AutoCloseable {
    private final List<AutoCloseable> opened = new ArrayList<>();
    private final PipelineMetrics metrics = PipelineMetrics.create();
    private EmbeddedFhirServer fhir;
    private Pipeline dicom;
    private FhirProxyServer proxy;
    private JoltFhirServer jolt;
    private String secret;
    private ShowcaseSettings settings;
    /** The option that moves whatever is being started now, for the port-in-use message. */
    private String current = "";

    private Showcase() {
    }

    /**
     * Starts everything and prints each pipeline's diagram, READY line and commands to try.
     *
     * @throws IllegalArgumentException when a port is taken, naming the option that changes it
     */
    public static Showcase start(ShowcaseSettings settings, PrintStream out) {
        Showcase s = new Showcase();
        s.settings = settings;
        try {
            s.startAll(out);
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw s.explainBindFailure(e);
        }
    }

    private void startAll(PrintStream out) {
        if (settings.needsEmbeddedFhir()) {
            current = "--fhir-port";
            fhir = EmbeddedFhirServer.onPort(settings.fhirPort(), true).start();
            opened.add(fhir);
            out.println("embedded FHIR R4 server (in memory, sample patients): " + fhir.baseUrl());
        }
        current = "--dicom-port";
        dicom = DicomScpExample.pipeline(new DicomScpExample.Options(settings.dicomPort(), settings.dicomAeTitle(),
                settings.allowedCallingAes(), settings.dicomDir(), null));
        dicom.addListener(metrics);
        opened.add(dicom);
        dicom.start();
        printDicom(out);

        current = "--proxy-port";
        secret = DemoTokens.newSecret();
        URI upstream = settings.upstream() != null ? settings.upstream() : fhir.baseUrl();
        ByteArrayOutputStream proxyOut = new ByteArrayOutputStream();
        proxy = FhirProxyServer.start(settings.proxyPort(), "127.0.0.1", upstream,
                new FhirProxyServer.Keys(secret, null, null, null, null), FhirProxyExample.defaultRateLimit(),
                printer(proxyOut));
        opened.add(proxy);
        proxy.pipeline().addListener(metrics);
        proxy.pipeline().addListener(new RequestLog("fhir-proxy"));
        printProxy(out, proxyOut);

        current = "--webhook-port";
        URI store = settings.fhirBase() != null ? settings.fhirBase() : fhir.baseUrl();
        ByteArrayOutputStream joltOut = new ByteArrayOutputStream();
        jolt = JoltFhirServer.start(settings.webhookPort(), JoltFhirExample.DEFAULT_PATH, store, null,
                printer(joltOut));
        opened.add(jolt);
        jolt.pipeline().addListener(metrics);
        jolt.pipeline().addListener(new RequestLog("jolt-fhir"));
        out.println();
        out.print(DiagramRenderer.text().render(jolt.pipeline().diagram()));
        out.print(joltOut.toString(StandardCharsets.UTF_8));
        out.flush();
    }

    private void printDicom(PrintStream out) {
        int port = dicomPort();
        out.println();
        out.print(DiagramRenderer.text().render(dicom.diagram()));
        out.println("READY dicom-scp " + port);
        String caller = settings.allowedCallingAes().isEmpty() ? "MODALITY" : settings.allowedCallingAes().get(0);
        out.println("files go to " + settings.dicomDir().toAbsolutePath() + "; try (DCMTK):");
        out.println("  echoscu -aet " + caller + " -aec " + settings.dicomAeTitle() + " 127.0.0.1 " + port);
        out.println("  storescu -aet " + caller + " -aec " + settings.dicomAeTitle() + " 127.0.0.1 " + port
                + " image1.dcm image2.dcm");
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

    /** The three pipelines in seed order. */
    public List<Pipeline> pipelines() {
        return List.of(dicom, proxy.pipeline(), jolt.pipeline());
    }

    /** Stops everything this showcase started, in reverse order; safe to call twice. */
    @Override
    public synchronized void close() {
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception e) {
                System.err.println("stopping " + opened.get(i) + " failed: " + e.getMessage());
            }
        }
        opened.clear();
    }

    private RuntimeException explainBindFailure(RuntimeException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof BindException) {
                return new IllegalArgumentException("a port is already in use (" + e.getMessage()
                        + "); choose another with " + current + " (0 picks a free one)", e);
            }
        }
        return e;
    }

    /** The example servers print their READY line and hints; we collect them to show after each diagram. */
    private static PrintStream printer(ByteArrayOutputStream buffer) {
        return new PrintStream(buffer, true, StandardCharsets.UTF_8);
    }
}
