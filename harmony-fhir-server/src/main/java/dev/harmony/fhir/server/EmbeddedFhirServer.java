package dev.harmony.fhir.server;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.RestfulServer;
import io.undertow.Undertow;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.api.ServletContainer;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import jakarta.servlet.ServletException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.hl7.fhir.r4.model.Resource;

/**
 * A real, in-memory FHIR R4 server (HAPI {@link RestfulServer} on Undertow) on {@code 127.0.0.1}, for
 * tests, demos and benchmarks: the default upstream of the FHIR proxy example and the FHIR store of
 * the JOLT example.
 *
 * <p>It serves {@code Patient} and {@code Observation} (read, vread, search by {@code _id},
 * {@code identifier}, {@code family}/{@code name} or {@code subject}, create, update, delete) and
 * transaction Bundles with POST (including conditional create through {@code request.ifNoneExist}),
 * PUT and DELETE entries. JSON is the default encoding. State lives in memory and is thread-safe.
 * Behind a proxy, links and Location headers use {@code X-Forwarded-Host/Proto/Prefix}.
 *
 * <pre>{@code
 * try (EmbeddedFhirServer fhir = EmbeddedFhirServer.seeded().start()) {
 *     URI base = fhir.baseUrl();                 // http://127.0.0.1:<port>/fhir
 *     ... post a transaction to base ...
 *     assertThat(fhir.count("Patient")).isEqualTo(4);
 * }
 * }</pre>
 */
public final class EmbeddedFhirServer implements AutoCloseable {
    /** The servlet path the FHIR base lives under. */
    public static final String BASE_PATH = "/fhir";
    /** The identifier system of the sample patients' MRNs ({@code 1001}, {@code 1002}, {@code 1003}). */
    public static final String SAMPLE_MRN_SYSTEM = SampleData.MRN_SYSTEM;

    private static final AtomicInteger DEPLOYMENTS = new AtomicInteger();

    private final int requestedPort;
    private final ResourceStore store = new ResourceStore();
    private DeploymentManager deployment;
    private Undertow undertow;
    private int port = -1;

    private EmbeddedFhirServer(int requestedPort, boolean seed) {
        if (requestedPort < 0 || requestedPort > 65535) {
            throw new IllegalArgumentException("EmbeddedFhirServer: port must be 0..65535, got " + requestedPort);
        }
        this.requestedPort = requestedPort;
        if (seed) {
            SampleData.seed(store);
        }
    }

    /** A server on an ephemeral port with 3 sample patients and 2 observations. Call {@link #start()}. */
    public static EmbeddedFhirServer seeded() {
        return new EmbeddedFhirServer(0, true);
    }

    /** An empty server on an ephemeral port. Call {@link #start()}. */
    public static EmbeddedFhirServer empty() {
        return new EmbeddedFhirServer(0, false);
    }

    /** A server on {@code port} (0 = ephemeral), seeded with sample resources or empty. */
    public static EmbeddedFhirServer onPort(int port, boolean seedSamples) {
        return new EmbeddedFhirServer(port, seedSamples);
    }

    /**
     * Deploys the FHIR servlet and starts listening.
     *
     * @return this, for {@code try (var s = EmbeddedFhirServer.seeded().start())}
     * @throws IllegalStateException if it cannot listen (port in use) or HAPI fails to initialise
     */
    public synchronized EmbeddedFhirServer start() {
        if (undertow != null) {
            return this;
        }
        // the process-wide cached context: the same one harmony-fhir's Fhir.r4() uses, built once
        FhirContext context = FhirContext.forR4Cached();
        RestfulServer servlet = new RestfulServer(context);
        servlet.setDefaultResponseEncoding(EncodingEnum.JSON);
        servlet.setServerAddressStrategy(new ForwardedAddressStrategy());
        // resource providers and the system-level transaction provider, registered together
        servlet.registerProviders(new PatientProvider(store), new ObservationProvider(store),
                new TransactionProvider(store, context));
        DeploymentInfo info = Servlets.deployment()
                .setClassLoader(EmbeddedFhirServer.class.getClassLoader())
                .setContextPath("/")
                .setDeploymentName("harmony-fhir-" + DEPLOYMENTS.incrementAndGet())
                .addServlet(Servlets.servlet("fhir", RestfulServer.class, new ImmediateInstanceFactory<>(servlet))
                        .addMapping(BASE_PATH + "/*")
                        .setLoadOnStartup(1));
        ServletContainer container = ServletContainer.Factory.newInstance();
        DeploymentManager manager = container.addDeployment(info);
        manager.deploy();
        try {
            Undertow server = Undertow.builder()
                    .addHttpListener(requestedPort, "127.0.0.1")
                    .setHandler(manager.start())
                    .build();
            server.start();
            this.undertow = server;
            this.deployment = manager;
            this.port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        } catch (ServletException | RuntimeException e) {
            stopQuietly(manager);
            throw new IllegalStateException("EmbeddedFhirServer: cannot start on 127.0.0.1:" + requestedPort + ": "
                    + e.getMessage(), e);
        }
        return this;
    }

    /** The port it listens on; fails if not started. */
    public synchronized int port() {
        if (undertow == null) {
            throw new IllegalStateException("EmbeddedFhirServer is not started");
        }
        return port;
    }

    /** The FHIR base, e.g. {@code http://127.0.0.1:41234/fhir}. */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port() + BASE_PATH);
    }

    /** How many current (not deleted) resources of {@code resourceType} it holds, e.g. {@code count("Patient")}. */
    public int count(String resourceType) {
        return store.search(resourceType, Criteria.all()).size();
    }

    /** Copies of the current resources of {@code type}, in creation order. */
    public <T extends Resource> List<T> resources(Class<T> type) {
        return store.search(type.getSimpleName(), Criteria.all()).stream().map(type::cast).toList();
    }

    /** Stops listening and undeploys. Idempotent; the stored resources are dropped with the object. */
    @Override
    public synchronized void close() {
        if (undertow != null) {
            undertow.stop();
            undertow = null;
        }
        if (deployment != null) {
            stopQuietly(deployment);
            deployment = null;
        }
    }

    private static void stopQuietly(DeploymentManager manager) {
        try {
            manager.stop();
        } catch (ServletException | RuntimeException ignored) {
            // shutting down anyway; nothing useful to do with a failure here
        }
        manager.undeploy();
    }

    @Override
    public String toString() {
        return undertow == null ? "EmbeddedFhirServer[stopped]" : "EmbeddedFhirServer[" + baseUrl() + "]";
    }
}
