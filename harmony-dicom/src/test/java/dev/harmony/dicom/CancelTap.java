package dev.harmony.dicom;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A TCP relay between an SCU and its peer that forwards every byte and notes when a C-CANCEL-RQ has
 * passed towards the peer (the Command Field element (0000,0100) = 0FFF in implicit VR little endian, as
 * every command is encoded): a test can then release a destination it holds, knowing the cancel is
 * already in the peer's receive buffer. Serves any number of connections until closed.
 */
public final class CancelTap implements AutoCloseable {
    private static final byte[] CANCEL = {0, 0, 0, 1, 2, 0, 0, 0, (byte) 0xFF, 0x0F};
    private final ServerSocket server;
    private final String host;
    private final int port;
    private final CountDownLatch cancelled = new CountDownLatch(1);
    private final Thread acceptor;

    public CancelTap(String host, int port) throws IOException {
        this.server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        this.host = host;
        this.port = port;
        acceptor = new Thread(this::accept, "cancel-tap");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Waits, bounded, until a C-CANCEL-RQ was forwarded to the peer. */
    public boolean awaitCancel(long seconds) throws InterruptedException {
        return cancelled.await(seconds, TimeUnit.SECONDS);
    }

    public boolean cancelSeen() {
        return cancelled.getCount() == 0;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket in = server.accept();
                Socket out = new Socket(host, port);
                in.setTcpNoDelay(true);
                out.setTcpNoDelay(true);
                pump(in, out, true);
                pump(out, in, false);
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to, boolean watch) {
        Thread t = new Thread(() -> {
            byte[] window = new byte[CANCEL.length];
            int filled = 0;
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    out.write(buffer, 0, n);
                    out.flush();
                    if (watch && !cancelSeen()) {
                        for (int i = 0; i < n; i++) {
                            // a sliding window over the stream, so the pattern may span reads
                            System.arraycopy(window, 1, window, 0, window.length - 1);
                            window[window.length - 1] = buffer[i];
                            if (++filled >= window.length && java.util.Arrays.equals(window, CANCEL)) {
                                cancelled.countDown(); // after the bytes were written to the peer
                            }
                        }
                    }
                }
            } catch (IOException ignored) {
                // one side closed: close both below
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }, "cancel-tap-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
