package dev.harmony.hl7;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A raw-socket MLLP peer for tests: writes whatever bytes it is told, reads framed answers with a bounded wait. */
final class RawMllp implements AutoCloseable {
    static final int WAIT_MILLIS = 10_000;
    final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawMllp(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), WAIT_MILLIS);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(WAIT_MILLIS);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    static byte[] frame(String message) {
        byte[] m = message.getBytes(StandardCharsets.UTF_8);
        byte[] f = new byte[m.length + 3];
        f[0] = 0x0B;
        System.arraycopy(m, 0, f, 1, m.length);
        f[f.length - 2] = 0x1C;
        f[f.length - 1] = 0x0D;
        return f;
    }

    void send(String message) throws IOException {
        raw(frame(message));
    }

    void raw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** The next framed answer as text; fails the test (by exception) if none comes within the bounded wait. */
    String read() throws IOException {
        int b;
        while ((b = in.read()) != 0x0B) {
            if (b < 0) {
                throw new IOException("closed before an answer");
            }
        }
        ByteArrayOutputStream msg = new ByteArrayOutputStream();
        while (true) {
            b = in.read();
            if (b < 0) {
                throw new IOException("closed inside an answer");
            }
            if (b == 0x1C) {
                if (in.read() != 0x0D) {
                    throw new IOException("bad end of frame");
                }
                return msg.toString(StandardCharsets.UTF_8);
            }
            msg.write(b);
        }
    }

    /** Whether the peer closes the connection within the bounded wait (reading and dropping anything before). */
    boolean closedByPeer() throws IOException {
        try {
            while (in.read() >= 0) {
                // drain
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset by peer
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** An ADT^A01 with control id {@code id}. */
    static String adt(String id) {
        return "MSH|^~\\&|ADMIT|ST-MARYS|HARMONY|HUB|20240101120000||ADT^A01^ADT_A01|" + id + "|P|2.5\r"
                + "EVN|A01|20240101120000\r"
                + "PID|1||12345^^^ST-MARYS^MR||Doe^John||19800101|M\r"
                + "PV1|1|I\r";
    }

    /** The fields of segment {@code name} of {@code message}, index 0 the name. */
    static String[] segment(String message, String name) {
        for (String line : message.split("\r")) {
            if (line.startsWith(name + "|")) {
                return line.split("\\|", -1);
            }
        }
        throw new AssertionError("no " + name + " segment in " + message.replace('\r', '\n'));
    }
}
