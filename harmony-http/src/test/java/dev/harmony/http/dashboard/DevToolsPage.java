package dev.harmony.http.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.harmony.message.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One tab of a real headless Chromium driven over the DevTools protocol with the JDK's WebSocket: open a
 * URL, evaluate JavaScript in the page (awaiting promises), all with bounded waits.
 */
final class DevToolsPage implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final Process process;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    private DevToolsPage(Process process, WebSocket socket) {
        this.process = process;
        this.socket = socket;
    }

    /** Starts Chromium with a fresh profile under {@code workDir} and attaches to its first tab. */
    static DevToolsPage launch(Path executable, Path workDir) throws Exception {
        Path profile = Files.createDirectories(workDir.resolve("devtools-profile"));
        Process process = new ProcessBuilder(executable.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--no-first-run", "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--disable-dev-shm-usage", "--user-data-dir=" + profile,
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0", "about:blank")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            URI browser = URI.create(listeningUrl(process).get(WAIT.toSeconds(), TimeUnit.SECONDS));
            HttpClient http = HttpClient.newHttpClient();
            URI list = URI.create("http://" + browser.getAuthority() + "/json/list");
            JsonNode targets = Json.mapper().readTree(http.send(HttpRequest.newBuilder(list).timeout(WAIT).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            String pageUrl = null;
            for (JsonNode t : targets) {
                if (t.path("type").asText().equals("page")) {
                    pageUrl = t.get("webSocketDebuggerUrl").asText();
                    break;
                }
            }
            if (pageUrl == null) {
                throw new AssertionError("chromium offers no page target: " + targets);
            }
            Listener listener = new Listener();
            WebSocket ws = http.newWebSocketBuilder().connectTimeout(WAIT).buildAsync(URI.create(pageUrl), listener)
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            DevToolsPage page = new DevToolsPage(process, ws);
            listener.page = page;
            return page;
        } catch (Exception | AssertionError e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw e;
        }
    }

    /** Navigates and waits until the page's load event. */
    void open(URI url) throws Exception {
        call("Page.enable", Json.mapper().createObjectNode());
        ObjectNode params = Json.mapper().createObjectNode().put("url", url.toString());
        call("Page.navigate", params);
        evaluate("new Promise(r => document.readyState === 'complete' ? r(true) "
                + ": addEventListener('load', () => r(true)))");
    }

    /** Evaluates {@code expression} in the page, awaiting it if it is a promise, and returns its JSON value. */
    JsonNode evaluate(String expression) throws Exception {
        ObjectNode params = Json.mapper().createObjectNode().put("expression", expression).put("awaitPromise", true)
                .put("returnByValue", true);
        JsonNode result = call("Runtime.evaluate", params);
        if (result.has("exceptionDetails")) {
            throw new AssertionError("page script failed: " + result.get("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    private JsonNode call(String method, ObjectNode params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        ObjectNode message = Json.mapper().createObjectNode().put("id", id).put("method", method);
        message.set("params", params);
        socket.sendText(Json.mapper().writeValueAsString(message), true).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        try {
            JsonNode reply = answer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            if (reply.has("error")) {
                throw new AssertionError(method + " failed: " + reply.get("error"));
            }
            return reply.path("result");
        } catch (TimeoutException e) {
            throw new AssertionError(method + " got no answer within " + WAIT.toSeconds() + " s", e);
        } finally {
            pending.remove(id);
        }
    }

    @Override
    public void close() {
        socket.abort();
        // SIGTERM first: chromium then reaps its own helper processes instead of leaving zombies behind
        process.destroy();
        try {
            if (!process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Chromium prints its DevTools address on stderr once it listens; keep reading so it never blocks. */
    private static CompletableFuture<String> listeningUrl(Process process) {
        CompletableFuture<String> url = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            StringBuilder seen = new StringBuilder();
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null;) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        url.complete(m.group(1));
                    } else if (!url.isDone()) {
                        seen.append(line).append('\n');
                    }
                }
            } catch (IOException e) {
                url.completeExceptionally(e);
            }
            url.completeExceptionally(new AssertionError("chromium exited without a DevTools address:\n" + seen));
        }, "chromium-stderr");
        reader.setDaemon(true);
        reader.start();
        return url;
    }

    /** Collects message fragments and completes the call each reply answers; events are ignored. */
    private static final class Listener implements WebSocket.Listener {
        private final StringBuilder buffer = new StringBuilder();
        volatile DevToolsPage page;

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            buffer.append(data);
            if (last) {
                String text = buffer.toString();
                buffer.setLength(0);
                try {
                    JsonNode message = Json.mapper().readTree(text);
                    if (message.has("id") && page != null) {
                        CompletableFuture<JsonNode> f = page.pending.get(message.get("id").asInt());
                        if (f != null) {
                            f.complete(message);
                        }
                    }
                } catch (IOException e) {
                    throw new IllegalStateException("unreadable DevTools message: " + text, e);
                }
            }
            ws.request(1);
            return null;
        }
    }
}
