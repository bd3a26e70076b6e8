package dev.harmony.http.frontend;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.handlers.PathHandler;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.xnio.Options;

/**
 * One Undertow server per bind address and port, shared by every ingress on that port: each mounts
 * its handler under its path prefix. Reference-counted: the last ingress to leave stops the server.
 * Ingresses on port 0 each get a server of their own (there is nothing to share).
 */
final class SharedServer {

    /** What must agree between ingresses sharing a port. */
    record Settings(String bindAddress, int port, Tls tls, int ioThreads, int workerThreads) {
    }

    private static final Map<String, SharedServer> BY_ADDRESS = new HashMap<>();

    private final Settings settings;
    private final Undertow undertow;
    private final PathHandler paths;
    private final Set<String> prefixes = new HashSet<>();
    private final int port;

    private SharedServer(Settings settings) {
        this.settings = settings;
        this.paths = new PathHandler(NotFoundHandler.INSTANCE);
        Undertow.Builder b = Undertow.builder()
                .setIoThreads(settings.ioThreads())
                .setWorkerThreads(settings.workerThreads())
                // Keep the path percent-encoded exactly as received, so a proxy forwards it unchanged.
                .setServerOption(UndertowOptions.DECODE_URL, false)
                // Clients send FHIR tokens such as identifier=system|value unescaped; accept them.
                .setServerOption(UndertowOptions.ALLOW_UNESCAPED_CHARACTERS_IN_URL, true)
                .setServerOption(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, false)
                // Each ingress enforces its own body limit with a clean 413; Undertow's own (2 MiB for
                // chunked bodies) would just cut the connection.
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, Long.MAX_VALUE)
                .setSocketOption(Options.TCP_NODELAY, true)
                .setHandler(paths);
        if (settings.tls() != null) {
            b.addHttpsListener(settings.port(), settings.bindAddress(), settings.tls().sslContext());
        } else {
            b.addHttpListener(settings.port(), settings.bindAddress());
        }
        this.undertow = b.build();
        undertow.start();
        this.port = ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
    }

    /**
     * Mounts {@code handler} under {@code prefix} on the server for {@code settings}, starting it if needed.
     *
     * @throws IllegalStateException if the prefix is taken or the port is shared with different settings
     */
    static synchronized SharedServer mount(Settings settings, String prefix, HttpHandler handler) {
        String key = settings.bindAddress() + ":" + settings.port();
        SharedServer server = settings.port() == 0 ? null : BY_ADDRESS.get(key);
        if (server == null) {
            server = new SharedServer(settings);
            if (settings.port() != 0) {
                BY_ADDRESS.put(key, server);
            }
        } else if (!server.settings.equals(settings)) {
            throw new IllegalStateException("HttpIngress: port " + settings.port()
                    + " is already served by another ingress with different TLS or thread settings");
        }
        if (!server.prefixes.add(prefix)) {
            throw new IllegalStateException("HttpIngress: prefix '" + prefix + "' is already mounted on port " + server.port);
        }
        server.paths.addPrefixPath(prefix.isEmpty() ? "/" : prefix, handler);
        return server;
    }

    /** Unmounts {@code prefix}; the last one out stops the server. */
    static synchronized void unmount(SharedServer server, String prefix) {
        if (!server.prefixes.remove(prefix)) {
            return;
        }
        server.paths.removePrefixPath(prefix.isEmpty() ? "/" : prefix);
        if (server.prefixes.isEmpty()) {
            BY_ADDRESS.values().removeIf(s -> s == server);
            server.undertow.stop();
        }
    }

    int port() {
        return port;
    }
}
