package dev.harmony.examples.bench;

import dev.harmony.hl7.frontend.MllpListener;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Pipeline;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * ADT^A01 messages per second with their ACK, over loopback MLLP: our {@code MllpListener} (the
 * listener's default HAPI parse and header checks, a pipeline whose backend answers at once) against
 * camel-mllp with {@code autoAck=true} (its own ACK, no parse), same run, same client. Each client
 * connection sends one message and waits for its ACK before the next, as HL7 senders do; 1 and 8
 * connections. Variants run interleaved in short rounds after a warm-up; medians are reported.
 *
 * <p>A test-scope class, so that Camel never lands in the runnable jar; run it from the test classpath:
 *
 * <pre>
 * mvn -B -o -pl harmony-examples -am test-compile -q
 * mvn -B -o -q -pl harmony-examples dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 * java -cp harmony-examples/target/test-classes:harmony-examples/target/classes:$(cat /tmp/cp.txt) \
 *      dev.harmony.examples.bench.Hl7Benchmark [--warmup-seconds 5] [--seconds 1] [--rounds 7]
 * </pre>
 */
public final class Hl7Benchmark {
    public static final String ADT = "MSH|^~\\&|ADMIT|ST-MARYS|HARMONY|HUB|20240101120000||ADT^A01^ADT_A01|BENCH-1|P|2.5\r"
            + "EVN|A01|20240101120000\r"
            + "PID|1||MRN-1001^^^ST-MARYS^MR~123-45-6789^^^SSA^SS||Doe^John^Quincy^Jr^Mr||19800214|M|||"
            + "12 Main Street^Apt 4^Springfield^IL^62701^USA^H||555-0100^PRN^PH|555-0199^WPN^PH\r"
            + "PV1|1|I|WARD1^101^1|||||1234^Attending^Anne|||MED||||1|||1234^Attending^Anne|IN||||||||||||||||||||||||"
            + "20240101120000\r";

    private double warmupSeconds = 5;
    private double seconds = 1;
    private int rounds = 7;

    private Hl7Benchmark() {
    }

    public static void main(String[] argv) throws Exception {
        Hl7Benchmark b = new Hl7Benchmark();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            switch (argv[i]) {
                case "--warmup-seconds" -> b.warmupSeconds = Double.parseDouble(argv[i + 1]);
                case "--seconds" -> b.seconds = Double.parseDouble(argv[i + 1]);
                case "--rounds" -> b.rounds = Integer.parseInt(argv[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + argv[i]);
            }
        }
        b.run();
    }

    private void run() throws Exception {
        MllpListener listener = MllpListener.port(0).bindAddress("127.0.0.1").build();
        Pipeline ours = Pipeline.builder().name("bench-mllp").frontend(listener).backend(r -> Response.ok()).build();
        ours.start();
        int camelPort;
        try (ServerSocket s = new ServerSocket(0)) {
            camelPort = s.getLocalPort();
        }
        CamelContext camel = new DefaultCamelContext();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("mllp://127.0.0.1:" + camelPort + "?autoAck=true").process(exchange -> { });
            }
        });
        camel.start();
        try {
            int oursPort = listener.localPort();
            byte[] frame = frame(ADT);
            System.out.printf(Locale.ROOT, "message %d bytes; warm-up %.1f s per variant%n", ADT.length(), warmupSeconds);
            for (int c : new int[] {1, 8}) {
                measure(oursPort, frame, c, warmupSeconds / 2);
                measure(camelPort, frame, c, warmupSeconds / 2);
            }
            Map<String, List<Double>> results = new LinkedHashMap<>();
            for (int r = 0; r < rounds; r++) {
                for (int c : new int[] {1, 8}) {
                    results.computeIfAbsent("harmony c=" + c, k -> new ArrayList<>()).add(measure(oursPort, frame, c, seconds));
                    results.computeIfAbsent("camel-mllp c=" + c, k -> new ArrayList<>())
                            .add(measure(camelPort, frame, c, seconds));
                }
            }
            System.out.println("| variant | messages/s with ACK (median) | min | max |");
            System.out.println("|---|---:|---:|---:|");
            Map<String, Double> medians = new LinkedHashMap<>();
            for (var e : results.entrySet()) {
                List<Double> v = new ArrayList<>(e.getValue());
                v.sort(null);
                double median = v.get(v.size() / 2);
                medians.put(e.getKey(), median);
                System.out.printf(Locale.ROOT, "| %s | %.0f | %.0f | %.0f |%n", e.getKey(), median, v.get(0),
                        v.get(v.size() - 1));
            }
            for (int c : new int[] {1, 8}) {
                System.out.printf(Locale.ROOT, "ratio harmony/camel-mllp c=%d: %.2f%n", c,
                        medians.get("harmony c=" + c) / medians.get("camel-mllp c=" + c));
            }
        } finally {
            camel.stop();
            ours.stop();
        }
    }

    /** Messages per second over {@code connections} stop-and-wait senders for {@code seconds}. */
    private static double measure(int port, byte[] frame, int connections, double seconds) throws Exception {
        AtomicLong acks = new AtomicLong();
        CountDownLatch done = new CountDownLatch(connections);
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long start = System.nanoTime();
        for (int i = 0; i < connections; i++) {
            Thread t = new Thread(() -> {
                try (Socket s = new Socket()) {
                    s.setTcpNoDelay(true);
                    s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                    s.setSoTimeout(10_000);
                    OutputStream out = s.getOutputStream();
                    InputStream in = new BufferedInputStream(s.getInputStream(), 8192);
                    byte[] ack = new byte[8192];
                    long n = 0;
                    while (System.nanoTime() < end) {
                        out.write(frame);
                        out.flush();
                        readAck(in, ack);
                        n++;
                    }
                    acks.addAndGet(n);
                } catch (Throwable e) {
                    failures.add(e);
                } finally {
                    done.countDown();
                }
            }, "bench-client-" + i);
            t.start();
        }
        done.await();
        if (!failures.isEmpty()) {
            throw new IllegalStateException("client failed: " + failures.get(0), failures.get(0));
        }
        return acks.get() / ((System.nanoTime() - start) / 1e9);
    }

    /** Reads one framed ACK and checks it is an AA for our message. */
    private static void readAck(InputStream in, byte[] buf) throws IOException {
        int b = in.read();
        if (b != 0x0B) {
            throw new IOException("expected a start block, got " + b);
        }
        int n = 0;
        while ((b = in.read()) != 0x1C) {
            if (b < 0 || n == buf.length) {
                throw new IOException("bad ACK frame");
            }
            buf[n++] = (byte) b;
        }
        if (in.read() != 0x0D) {
            throw new IOException("bad end of ACK frame");
        }
        String ack = new String(buf, 0, n, StandardCharsets.ISO_8859_1);
        if (!ack.contains("MSA|AA|BENCH-1")) {
            throw new IOException("not an AA for BENCH-1: " + ack.replace('\r', '\n'));
        }
    }

    private static byte[] frame(String message) {
        byte[] m = message.getBytes(StandardCharsets.ISO_8859_1);
        byte[] f = new byte[m.length + 3];
        f[0] = 0x0B;
        System.arraycopy(m, 0, f, 1, m.length);
        f[f.length - 2] = 0x1C;
        f[f.length - 1] = 0x0D;
        return f;
    }
}
