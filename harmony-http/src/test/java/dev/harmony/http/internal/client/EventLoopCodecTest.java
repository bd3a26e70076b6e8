package dev.harmony.http.internal.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.harmony.message.Headers;
import dev.harmony.message.Response;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The event-loop client's HTTP/1.1 response parsing, against a raw-socket upstream sending scripted bytes. */
class EventLoopCodecTest {
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closeAfter) {
            c.close();
        }
    }

    /** An upstream answering the n-th request on any connection with {@code answers[n]}, each in one write. */
    private EventLoopRawUpstream upstream(String... answers) throws IOException {
        int[] next = {0};
        EventLoopRawUpstream raw = new EventLoopRawUpstream((index, socket) -> {
            InputStream in = socket.getInputStream();
            while (EventLoopRawUpstream.readHead(in) != null) {
                String answer;
                synchronized (next) {
                    answer = answers[next[0]++];
                }
                EventLoopRawUpstream.write(socket, answer);
                if (answer.startsWith("HTTP/1.0") && !answer.contains("keep-alive")) {
                    socket.close();
                    return;
                }
            }
        });
        closeAfter.add(raw);
        return raw;
    }

    private EventLoopClient client(URI origin) {
        EventLoopClient client = new EventLoopClient(origin, Duration.ofSeconds(2), Duration.ofSeconds(5), 1);
        client.start();
        closeAfter.add(0, client);
        return client;
    }

    private static Response get(EventLoopClient client, String target) throws Exception {
        return client.send("GET", target, Headers.empty()).get(5, TimeUnit.SECONDS);
    }

    private static Throwable failure(CompletableFuture<Response> future) throws Exception {
        try {
            future.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("expected the request to fail, it succeeded");
    }

    @Test
    void aResponseSplitAtEveryByteBoundaryParsesTheSameOnOneKeepAliveConnection() throws Exception {
        String answer = "HTTP/1.1 200 OK\r\ncontent-length: 5\r\nX-A: 1\r\nContent-Type: text/plain\r\nX-A: 2\r\n"
                + "\r\nhello";
        byte[] bytes = answer.getBytes(StandardCharsets.ISO_8859_1);
        EventLoopRawUpstream raw = new EventLoopRawUpstream((index, socket) -> {
            socket.setTcpNoDelay(true);
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            for (int split = 1; EventLoopRawUpstream.readHead(in) != null; split++) {
                out.write(bytes, 0, split);
                out.flush();
                // not synchronisation (the answer must parse the same either way): the pause only lets the
                // client read the two parts apart, which it otherwise rarely does on loopback
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
                out.write(bytes, split, bytes.length - split);
                out.flush();
            }
        });
        closeAfter.add(raw);
        EventLoopClient client = client(raw.origin());

        for (int split = 1; split < bytes.length; split++) {
            Response response = get(client, "/" + split);
            assertThat(response.status()).as("split at %d", split).isEqualTo(200);
            assertThat(response.headers().all("X-A")).as("split at %d", split).containsExactly("1", "2");
            assertThat(response.body().contentType()).contains("text/plain");
            assertThat(response.body().text()).as("split at %d", split).isEqualTo("hello");
        }
        assertThat(raw.accepted()).isEqualTo(1);
    }

    @Test
    void chunkedWithExtensionsAndTrailersIsDecodedAndTheConnectionReused() throws Exception {
        EventLoopRawUpstream raw = upstream(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\nTrailer: X-Sum\r\n\r\n"
                        + "5;name=value\r\nhello\r\n6;flag\r\n world\r\nA\r\n, chunked!\r\n0;last\r\nX-Sum: 1\r\n"
                        + "X-More: 2\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nafter");
        EventLoopClient client = client(raw.origin());

        Response chunked = get(client, "/chunked");
        assertThat(chunked.headers().contains("Transfer-Encoding")).isFalse();
        assertThat(chunked.headers().contains("Trailer")).isFalse();
        assertThat(chunked.body().length()).isEqualTo(-1);
        assertThat(chunked.body().text()).isEqualTo("hello world, chunked!");
        assertThat(get(client, "/after").body().text()).isEqualTo("after");
        assertThat(raw.accepted()).isEqualTo(1);
    }

    @Test
    void badChunkFramingFailsTheStream() throws Exception {
        EventLoopRawUpstream raw = upstream(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n");
        EventLoopClient client = client(raw.origin());

        for (String target : List.of("/bad-size", "/no-crlf")) {
            Response response = get(client, target);
            try (InputStream in = response.body().stream()) {
                assertThat(catchIo(in)).as(target).hasMessageContaining("chunk");
            }
        }
        assertThat(raw.accepted()).isEqualTo(2); // a broken stream never goes back to the pool
    }

    private static Throwable catchIo(InputStream in) {
        try {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            return e;
        }
        throw new AssertionError("expected the stream to fail");
    }

    @Test
    void aBadStatusLineFailsClearlyAndTheConnectionIsNotReused() throws Exception {
        List<String> bad = List.of("HTTP/1.1 2OO OK\r\n", "HTP/1.1 200 OK\r\n", "HTTP/2 200 OK\r\n",
                "HTTP/1.1 200OK\r\n", "HTTP/1.1 20\r\n", "ICY 200 OK\r\n");
        String[] answers = bad.stream().map(line -> line + "Content-Length: 0\r\n\r\n").toArray(String[]::new);
        EventLoopRawUpstream raw = upstream(answers);
        EventLoopClient client = client(raw.origin());

        for (String line : bad) {
            assertThat(failure(client.send("GET", "/", Headers.empty()))).as(line).isInstanceOf(IOException.class)
                    .hasMessageContaining("status line");
        }
        assertThat(raw.accepted()).isEqualTo(bad.size());
    }

    @Test
    void headerNamesKeepTheirSpellingAndValuesLoseOnlySurroundingSpacesAndTabs() throws Exception {
        EventLoopRawUpstream raw = upstream("HTTP/1.1 200 OK\r\nserver:  x y \t\r\nContent-Type:\ttext/plain\r\n"
                + "X-Empty:\r\nDate: Thu, 26 Nov 2026 10:00:00 GMT\r\nContent-Length: 2\r\n\r\nok");
        EventLoopClient client = client(raw.origin());

        Response r = get(client, "/");

        assertThat(r.headers().names()).containsExactly("server", "Content-Type", "X-Empty", "Date", "Content-Length");
        assertThat(r.headers().first("Server")).contains("x y");
        assertThat(r.headers().first("content-type")).contains("text/plain");
        assertThat(r.headers().first("X-Empty")).contains("");
        assertThat(r.headers().first("Date")).contains("Thu, 26 Nov 2026 10:00:00 GMT");
        assertThat(r.body().text()).isEqualTo("ok");
    }

    @Test
    void anInvalidOrRepeatedContentLengthIsRefused() throws Exception {
        List<String> bad = List.of("Content-Length: 12a", "Content-Length: -1", "Content-Length: 5, 5",
                "Content-Length: 5\r\nContent-Length: 5", "Content-Length: 5\r\ncontent-length: 6",
                "Content-Length: +5", "Content-Length: 99999999999999999999");
        String[] answers = bad.stream().map(h -> "HTTP/1.1 200 OK\r\n" + h + "\r\n\r\nhello").toArray(String[]::new);
        EventLoopRawUpstream raw = upstream(answers);
        EventLoopClient client = client(raw.origin());

        for (String header : bad) {
            assertThat(failure(client.send("GET", "/", Headers.empty()))).as(header).isInstanceOf(IOException.class)
                    .hasMessageContaining("Content-Length");
        }
    }

    @Test
    void foldedOrMalformedHeaderLinesAreRefused() throws Exception {
        EventLoopRawUpstream raw = upstream(
                "HTTP/1.1 200 OK\r\nX-Long: a\r\n  continued\r\nContent-Length: 0\r\n\r\n",
                "HTTP/1.1 200 OK\r\nX-Bad : 1\r\nContent-Length: 0\r\n\r\n",
                "HTTP/1.1 200 OK\r\nno colon here\r\nContent-Length: 0\r\n\r\n",
                "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n");
        EventLoopClient client = client(raw.origin());

        assertThat(failure(client.send("GET", "/", Headers.empty()))).hasMessageContaining("folded");
        assertThat(failure(client.send("GET", "/", Headers.empty()))).hasMessageContaining("malformed header");
        assertThat(failure(client.send("GET", "/", Headers.empty()))).hasMessageContaining("malformed header");
        assertThat(failure(client.send("GET", "/", Headers.empty()))).hasMessageContaining("bare LF");
    }

    @Test
    void aHeadOverSixtyFourKibibytesIsRefusedAndOneJustUnderIsRead() throws Exception {
        String big = "X-Big: " + "a".repeat(40_000) + "\r\n";
        EventLoopRawUpstream raw = upstream(
                "HTTP/1.1 200 OK\r\n" + big + "Content-Length: 2\r\n\r\nok",
                "HTTP/1.1 200 OK\r\n" + big + big + "Content-Length: 2\r\n\r\nok");
        EventLoopClient client = client(raw.origin());

        Response fits = get(client, "/fits");
        assertThat(fits.headers().first("X-Big").orElseThrow()).hasSize(40_000);
        assertThat(fits.body().text()).isEqualTo("ok");
        assertThat(failure(client.send("GET", "/too-big", Headers.empty()))).isInstanceOf(IOException.class)
                .hasMessageContaining("upstream response head too large");
    }

    @Test
    void http10BodiesEndAtTheCloseOrTheirLengthAndOnlyKeepAliveOnesAreReused() throws Exception {
        String body = "x".repeat(200_000);
        EventLoopRawUpstream raw = upstream(
                "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n" + body,
                "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\none",
                "HTTP/1.0 200 OK\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\ntwo",
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nthree");
        EventLoopClient client = client(raw.origin());

        Response closeDelimited = get(client, "/0");
        assertThat(closeDelimited.body().isRepeatable()).isFalse();
        assertThat(closeDelimited.body().length()).isEqualTo(-1);
        assertThat(closeDelimited.body().text()).isEqualTo(body);
        assertThat(get(client, "/1").body().text()).isEqualTo("one");
        assertThat(get(client, "/2").body().text()).isEqualTo("two");
        assertThat(get(client, "/3").body().text()).isEqualTo("three");
        assertThat(raw.accepted()).isEqualTo(3); // the keep-alive HTTP/1.0 connection carried the last two
    }

    @Test
    void bytesAfterACompleteAnswerAreNotTakenForTheNextOne() throws Exception {
        EventLoopRawUpstream raw = upstream(
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nsmugl",
                "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nsmugl",
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nclean");
        EventLoopClient client = client(raw.origin());

        assertThat(get(client, "/a").body().text()).isEqualTo("ok");
        assertThat(get(client, "/b").status()).isEqualTo(204);
        assertThat(get(client, "/c").body().text()).isEqualTo("clean");
        assertThat(raw.accepted()).isEqualTo(3);
    }

    @Test
    void interimAnswersAreSkippedButASwitchToAnotherProtocolIsRefusedAndEndsTheConnection() throws Exception {
        EventLoopRawUpstream raw = upstream(
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </style.css>\r\n\r\n"
                        + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal",
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfresh");
        EventLoopClient client = client(raw.origin());

        Response afterHints = get(client, "/hints");
        assertThat(afterHints.status()).isEqualTo(200);
        assertThat(afterHints.headers().contains("Link")).isFalse();
        assertThat(afterHints.body().text()).isEqualTo("final");
        assertThat(failure(client.send("GET", "/switch", Headers.empty()))).isInstanceOf(IOException.class)
                .hasMessageContaining("101");
        assertThat(get(client, "/fresh").body().text()).isEqualTo("fresh");
        assertThat(raw.accepted()).isEqualTo(2);
    }

    @Test
    void aRequestHeadBiggerThanTheSocketBuffersIsFinishedFromTheWriteListener() throws Exception {
        String big = "v".repeat(8 * 1024 * 1024);
        EventLoopRawUpstream raw = new EventLoopRawUpstream((index, socket) -> {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            String head;
            while ((head = EventLoopRawUpstream.readHead(in)) != null) {
                EventLoopRawUpstream.write(socket, "HTTP/1.1 200 OK\r\nX-Head-Length: " + head.length()
                        + "\r\nContent-Length: 2\r\n\r\nok");
            }
        });
        closeAfter.add(raw);
        EventLoopClient client = client(raw.origin());

        Response response = client.send("GET", "/big-head", Headers.of("X-Big", big)).get(10, TimeUnit.SECONDS);
        String expected = "GET /big-head HTTP/1.1\r\nHost: " + raw.origin().getAuthority() + "\r\nX-Big: " + big
                + "\r\n\r\n";
        assertThat(response.headers().first("X-Head-Length")).contains(String.valueOf(expected.length()));
        assertThat(get(client, "/small").headers().first("X-Head-Length"))
                .contains(String.valueOf(("GET /small HTTP/1.1\r\nHost: " + raw.origin().getAuthority() + "\r\n\r\n")
                        .length()));
        assertThat(raw.accepted()).isEqualTo(1);
    }

    @Test
    void anIdleConnectionTheUpstreamEndsIsClosedAndLeavesThePoolAtOnce() throws Exception {
        CountDownLatch clientClosed = new CountDownLatch(1);
        EventLoopRawUpstream raw = new EventLoopRawUpstream((index, socket) -> {
            InputStream in = socket.getInputStream();
            EventLoopRawUpstream.readHead(in);
            EventLoopRawUpstream.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n#" + index);
            if (index == 0) { // an idle timeout: FIN, then see the client close its side in turn
                socket.shutdownOutput();
                if (in.read() == -1) {
                    clientClosed.countDown();
                }
                return;
            }
            EventLoopRawUpstream.readHead(in);
        });
        closeAfter.add(raw);
        EventLoopClient client = client(raw.origin());

        assertThat(get(client, "/a").body().text()).isEqualTo("#0");
        assertThat(clientClosed.await(5, TimeUnit.SECONDS)).as("idle connection closed by the client").isTrue();
        // not idempotent, so never resent: it only works because the dead connection already left the pool
        assertThat(client.send("POST", "/b", Headers.empty()).get(5, TimeUnit.SECONDS).body().text()).isEqualTo("#1");
        assertThat(raw.accepted()).isEqualTo(2);
    }

    @Test
    void theRequestHeadIsOneAsciiBlockWithHostAndTheCallersHeadersOnly() throws Exception {
        List<String> heads = new ArrayList<>();
        EventLoopRawUpstream raw = new EventLoopRawUpstream((index, socket) -> {
            String head = EventLoopRawUpstream.readHead(socket.getInputStream());
            synchronized (heads) {
                heads.add(head);
            }
            EventLoopRawUpstream.write(socket, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
            EventLoopRawUpstream.readHead(socket.getInputStream());
        });
        closeAfter.add(raw);
        EventLoopClient client = client(raw.origin());

        client.send("DELETE", "/fhir/Patient/1?x=%20", Headers.of("Accept", "application/fhir+json",
                "Content-Length", "12", "host", "elsewhere", "X-Two", "a")).get(5, TimeUnit.SECONDS);

        synchronized (heads) {
            assertThat(heads).containsExactly("DELETE /fhir/Patient/1?x=%20 HTTP/1.1\r\nHost: "
                    + raw.origin().getAuthority() + "\r\nAccept: application/fhir+json\r\nX-Two: a\r\n\r\n");
        }
    }

    @Test
    void headerValuesKeepTabsAndLatin1BytesAndReplaceWhatIsBeyondLatin1() {
        Headers headers = Headers.builder().add("X-Tab", "a\tb").add("X-Latin", "caf\u00e9")
                .add("X-Wide", "\u0160a\ud83d\ude00").add("X-Empty", "").build();

        byte[] head = bytes(EventLoopRequestHead.encode("GET", "/", "h:1", headers).buffer());

        assertThat(head).isEqualTo(("GET / HTTP/1.1\r\nHost: h:1\r\nX-Tab: a\tb\r\nX-Latin: caf\u00e9\r\n"
                + "X-Wide: ?a?\r\nX-Empty: \r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        for (String bad : List.of("a\rb", "a\nb", "a\u0000b", "a\u007fb")) {
            assertThatThrownBy(() -> EventLoopRequestHead.encode("GET", "/", "h:1", Headers.of("X-Bad", bad)))
                    .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("X-Bad");
        }
        assertThatThrownBy(() -> EventLoopRequestHead.encode("GET", "/a b", "h:1", Headers.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target");
    }

    private static byte[] bytes(java.nio.ByteBuffer buffer) {
        byte[] out = new byte[buffer.remaining()];
        buffer.get(out);
        return out;
    }
}
