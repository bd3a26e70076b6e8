package dev.harmony.http.internal.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw-socket upstream for misbehaving-server tests: each accepted connection runs {@link Script} on
 * its own thread with its 0-based index, so a test scripts connection 0, 1, ... differently.
 */
public final class EventLoopRawUpstream implements AutoCloseable {
    /** What the upstream does on one accepted connection. */
    public interface Script {
        void run(int index, Socket socket) throws IOException;
    }

    private final ServerSocket server;
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    public EventLoopRawUpstream(Script script) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    sockets.add(socket);
                    int index = accepted.getAndIncrement();
                    Thread worker = new Thread(() -> {
                        try {
                            script.run(index, socket);
                        } catch (IOException e) {
                            // the client went away; that is the test's business, not ours
                        }
                    }, "raw-upstream-" + index);
                    worker.setDaemon(true);
                    worker.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "raw-upstream-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public URI origin() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    public int accepted() {
        return accepted.get();
    }

    /** Reads one request head (up to the blank line); null if the client closed first. */
    public static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while ((b = in.read()) != -1) {
            head.write(b);
            matched = (b == '\r' && matched % 2 == 0) || (b == '\n' && matched % 2 == 1) ? matched + 1 : 0;
            if (matched == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    public static void write(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
