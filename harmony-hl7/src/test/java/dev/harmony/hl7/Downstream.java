package dev.harmony.hl7;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw-socket MLLP receiver for tests whose answers are scripted: for each message (with its
 * connection's number) the script returns the frames to write back, in order, possibly none. It
 * records every message and every connection the sender closes.
 */
final class Downstream implements AutoCloseable {
    interface Script {
        List<String> answer(int connection, String message);
    }

    record Received(int connection, String message) {
    }

    private final ServerSocket server;
    private final Script script;
    private final AtomicInteger connections = new AtomicInteger();
    final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    final BlockingQueue<Integer> closedBySender = new LinkedBlockingQueue<>();

    Downstream(Script script) throws IOException {
        this.script = script;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "downstream-accept");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    int connections() {
        return connections.get();
    }

    Received next() throws InterruptedException {
        Received r = received.poll(RawMllp.WAIT_MILLIS, TimeUnit.MILLISECONDS);
        if (r == null) {
            throw new AssertionError("no message reached the downstream in time");
        }
        return r;
    }

    /** Waits (bounded) until the sender closes connection {@code n}. */
    boolean awaitClosed(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RawMllp.WAIT_MILLIS);
        while (System.nanoTime() < deadline) {
            Integer c = closedBySender.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (c != null && c == n) {
                return true;
            }
        }
        return false;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                int n = connections.incrementAndGet();
                Thread t = new Thread(() -> serve(s, n), "downstream-" + n);
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s, int n) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            while (true) {
                int b;
                while ((b = in.read()) != 0x0B) {
                    if (b < 0) {
                        closedBySender.add(n);
                        return;
                    }
                }
                ByteArrayOutputStream m = new ByteArrayOutputStream();
                while ((b = in.read()) != 0x1C) {
                    if (b < 0) {
                        closedBySender.add(n);
                        return;
                    }
                    m.write(b);
                }
                in.read();
                String message = m.toString(StandardCharsets.UTF_8);
                received.add(new Received(n, message));
                for (String a : script.answer(n, message)) {
                    out.write(RawMllp.frame(a));
                }
                out.flush();
            }
        } catch (IOException e) {
            closedBySender.add(n);
        }
    }

    /** An ACK with code {@code code} for control id {@code id}. */
    static String ack(String code, String id) {
        return "MSH|^~\\&|LAB|LABFAC|HARMONY|HUB|20240101120000||ACK^A01^ACK|X" + id + "|P|2.5\rMSA|" + code + "|" + id
                + "\r";
    }

    /** MSH-10 of a message. */
    static String controlId(String message) {
        return RawMllp.segment(message, "MSH")[9];
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
