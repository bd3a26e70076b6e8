package dev.harmony.examples.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One nginx instance run from its own prefix directory ({@code -p DIR -c conf}, pid inside DIR), on
 * 127.0.0.1 ports, stopped with {@code -s stop}.
 */
final class ProxyNginx implements AutoCloseable {
    private final Path dir;
    private final Path conf;
    private final int port;

    private ProxyNginx(Path dir, Path conf, int port) {
        this.dir = dir;
        this.conf = conf;
        this.port = port;
    }

    /** The port it was started for. */
    int port() {
        return port;
    }

    /** Starts nginx with {@code http} as the body of its http block, and waits until {@code port} accepts. */
    static ProxyNginx start(Path dir, int workers, String http, int port) throws IOException, InterruptedException {
        Files.createDirectories(dir.resolve("tmp"));
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, """
                worker_processes %d;
                pid %s/nginx.pid;
                error_log %s/error.log warn;
                events { worker_connections 4096; }
                http {
                    access_log off;
                    client_body_temp_path %s/tmp/body;
                    proxy_temp_path %s/tmp/proxy;
                    fastcgi_temp_path %s/tmp/fastcgi;
                    uwsgi_temp_path %s/tmp/uwsgi;
                    scgi_temp_path %s/tmp/scgi;
                %s
                }
                """.formatted(workers, dir, dir, dir, dir, dir, dir, dir, http));
        run(List.of("nginx", "-p", dir.toString(), "-c", conf.toString()));
        ProxyNginx nginx = new ProxyNginx(dir, conf, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!accepts(port)) {
            if (System.nanoTime() > deadline) {
                nginx.close();
                throw new IOException("nginx did not listen on " + port + "; see " + dir.resolve("error.log"));
            }
            Thread.onSpinWait();
        }
        return nginx;
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException(command.get(0) + " is needed (apt-get install -y nginx-light): " + e.getMessage(), e);
        }
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }

    @Override
    public void close() {
        try {
            run(List.of("nginx", "-p", dir.toString(), "-c", conf.toString(), "-s", "stop"));
        } catch (IOException e) {
            System.err.println("could not stop nginx in " + dir + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
