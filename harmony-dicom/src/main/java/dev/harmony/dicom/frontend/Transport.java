package dev.harmony.dicom.frontend;

import dev.harmony.dicom.DicomTls;
import dev.harmony.dicom.internal.net.ChannelInput;
import dev.harmony.dicom.internal.net.ChannelOutput;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.security.Principal;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocket;

/**
 * The byte streams of one accepted connection. Plain TCP reads a non-blocking channel through
 * {@link ChannelInput} (data sets go socket buffer -> file without a heap copy); TLS layers an
 * {@link SSLSocket} over the blocking channel's socket, which costs that copy but nothing else changes.
 */
abstract class Transport implements Closeable {
    abstract InputStream input();

    abstract OutputStream output();

    /** How long a read may wait for data. */
    abstract void readTimeout(long millis) throws IOException;

    /**
     * Whether a message has started to arrive, without waiting for one: how a running C-FIND or C-MOVE
     * looks for a C-CANCEL between two of its responses.
     */
    abstract boolean inputWaiting() throws IOException;

    /** Wakes a blocked read after the socket was closed by another thread. */
    abstract void wakeup();

    /** The verified client certificate's subject, if TLS asked for one and the peer sent one. */
    Principal peerPrincipal() {
        return null;
    }

    static Transport plain(SocketChannel socket, long writeTimeoutMillis) throws IOException {
        ChannelInput in = new ChannelInput(socket, 256 * 1024);
        ChannelOutput out = new ChannelOutput(socket, writeTimeoutMillis);
        return new Transport() {
            @Override
            InputStream input() {
                return in;
            }

            @Override
            OutputStream output() {
                return out;
            }

            @Override
            void readTimeout(long millis) {
                in.setTimeout(millis);
            }

            @Override
            boolean inputWaiting() throws IOException {
                return in.available() > 0;
            }

            @Override
            void wakeup() {
                in.wakeup();
            }

            @Override
            public void close() throws IOException {
                try {
                    in.close();
                } finally {
                    out.close();
                }
            }
        };
    }

    /** Closes TLS sockets whose peer stops reading (socket timeouts bound reads only). */
    private static final ScheduledExecutorService WRITE_WATCH = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "dicom-tls-write-timeout");
        t.setDaemon(true);
        return t;
    });

    /** How long a look for a C-CANCEL over TLS waits for the rest of a record already on the wire. */
    private static final int TLS_RECORD_WAIT_MILLIS = 1000;

    /** Runs the TLS handshake (bounded by {@code handshakeMillis}) as the server. */
    static Transport tls(SocketChannel socket, DicomTls tls, SSLContext context, long handshakeMillis,
            long writeTimeoutMillis) throws IOException {
        InetSocketAddress remote = (InetSocketAddress) socket.getRemoteAddress();
        SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(socket.socket(),
                remote.getAddress().getHostAddress(), remote.getPort(), true);
        ssl.setUseClientMode(false);
        ssl.setSSLParameters(tls.serverParameters(context));
        ssl.setSoTimeout((int) Math.min(Integer.MAX_VALUE, handshakeMillis));
        ssl.startHandshake();
        InputStream in = new java.io.BufferedInputStream(ssl.getInputStream(), 64 * 1024);
        OutputStream out = new BufferedOutputStream(new TimedOutput(ssl, socket, writeTimeoutMillis), 64 * 1024);
        Principal peer;
        try {
            peer = ssl.getSession().getPeerPrincipal();
        } catch (SSLPeerUnverifiedException none) {
            peer = null;
        }
        Principal verifiedPeer = peer;
        return new Transport() {
            @Override
            InputStream input() {
                return in;
            }

            @Override
            OutputStream output() {
                return out;
            }

            @Override
            void readTimeout(long millis) throws IOException {
                ssl.setSoTimeout((int) Math.min(Integer.MAX_VALUE, millis));
            }

            /**
             * Decrypted bytes count only once a read has opened their TLS record, so {@code available()}
             * alone would never see a C-CANCEL: when bytes wait on the wire, read one (the rest of its
             * record is on its way) and put it back.
             */
            @Override
            boolean inputWaiting() throws IOException {
                if (in.available() > 0) {
                    return true;
                }
                if (socket.socket().getInputStream().available() == 0) {
                    return false;
                }
                int timeout = ssl.getSoTimeout();
                ssl.setSoTimeout(TLS_RECORD_WAIT_MILLIS);
                try {
                    in.mark(1);
                    in.read(); // -1 (closed) is waiting input too: the reader sees the end
                    in.reset();
                    return true;
                } catch (SocketTimeoutException notYet) {
                    return false; // a record that is not application data (a key update): nothing to read
                } finally {
                    ssl.setSoTimeout(timeout);
                }
            }

            @Override
            void wakeup() {
                // closing the socket already ends a blocked read
            }

            @Override
            Principal peerPrincipal() {
                return verifiedPeer;
            }

            @Override
            public void close() throws IOException {
                ssl.close();
            }
        };
    }

    /**
     * Each write must finish within the timeout, else the connection is closed and the write fails. The
     * channel is closed, not the SSLSocket: closing that waits for the blocked writer's lock.
     */
    private static final class TimedOutput extends FilterOutputStream {
        private final SocketChannel channel;
        private final long timeoutMillis;

        TimedOutput(SSLSocket ssl, SocketChannel channel, long timeoutMillis) throws IOException {
            super(ssl.getOutputStream());
            this.channel = channel;
            this.timeoutMillis = timeoutMillis;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ScheduledFuture<?> watch = WRITE_WATCH.schedule(this::closeSocket, timeoutMillis, TimeUnit.MILLISECONDS);
            try {
                out.write(b, off, len);
            } finally {
                watch.cancel(false);
            }
        }

        private void closeSocket() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the blocked write fails either way
            }
        }
    }
}
