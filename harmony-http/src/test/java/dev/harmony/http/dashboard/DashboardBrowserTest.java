package dev.harmony.http.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.harmony.message.Json;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.testing.DirectFrontend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loads the dashboard in real headless Chromium while a pipeline takes traffic, and checks from the DOM
 * the browser built (after the page's own script polled the JSON endpoint) that the figures are there,
 * move between two loads, and equal what the JSON endpoint says at that moment.
 */
class DashboardBrowserTest {
    private static final String NAME = "browser-demo";

    @TempDir
    Path work;

    @Test
    void pageShowsLiveFiguresThatMoveAndMatchTheJsonEndpoint() throws Exception {
        HeadlessChromium chromium = new HeadlessChromium(work);
        DirectFrontend in = DirectFrontend.create();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try (Pipeline pipeline = TestPipelines.guarded(NAME, in)) {
            pipeline.start();
            try (Dashboard dashboard = Dashboard.on(0).start()) {
                TestPipelines.send(in, "ok", 7);
                TestPipelines.send(in, "none", 3);
                TestPipelines.send(in, "slow-down", 2);
                TestPipelines.send(in, "boom", 1);

                DumpedDom first = new DumpedDom(chromium.dumpDom(dashboard.url(), 3000));
                JsonNode json1 = pipelineJson(http, dashboard.url());
                assertThat(first.polls()).as("the page's script fetched and applied figures").isPositive();
                assertThat(first.summary(NAME)).containsEntry("count", "13").containsEntry("passed", "7")
                        .containsEntry("rejected", "5").containsEntry("failed", "1").containsEntry("inFlight", "0");
                assertThat(first.row(NAME, "Key Check")).containsEntry("count", "13")
                        .containsEntry("rejected-by-kind", "UNAUTHENTICATED 3");
                assertThat(first.row(NAME, "Throttle")).containsEntry("count", "10").containsEntry("failed", "1")
                        .containsEntry("rejected-by-kind", "TOO_MANY_REQUESTS 2");
                assertMatchesJson(first, json1);
                assertThat(first.section(NAME)).as("figures drawn onto the diagram's boxes")
                        .contains("class=\"badge\"").contains("13 \u2192 \u27137 \u27175 !1");

                TestPipelines.send(in, "ok", 5);
                TestPipelines.send(in, "none", 1);

                DumpedDom second = new DumpedDom(chromium.dumpDom(dashboard.url(), 3000));
                JsonNode json2 = pipelineJson(http, dashboard.url());
                assertThat(second.summary(NAME)).containsEntry("count", "19").containsEntry("passed", "12")
                        .containsEntry("rejected", "6");
                assertThat(second.row(NAME, "Store")).containsEntry("count", "12");
                assertThat(Long.parseLong(second.summary(NAME).get("count")))
                        .isGreaterThan(Long.parseLong(first.summary(NAME).get("count")));
                assertMatchesJson(second, json2);

                // kept for people: what the browser showed at the end
                chromium.screenshot(dashboard.url(), Path.of("target", "dashboard-browser-test.png"), 1100, 1000, 2000);
            }
        }
    }

    @Test
    void openPageUpdatesItselfInPlaceWhileTrafficFlows() throws Exception {
        String name = "browser-live";
        DirectFrontend in = DirectFrontend.create();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try (Pipeline pipeline = TestPipelines.guarded(name, in)) {
            pipeline.start();
            try (Dashboard dashboard = Dashboard.on(0).start();
                    DevToolsPage page = DevToolsPage.launch(HeadlessChromium.executable(), work)) {
                TestPipelines.send(in, "ok", 3);
                page.open(dashboard.url());
                JsonNode before = figuresAfterTwoMorePolls(page, name);
                assertThat(before.get("summary").get("count").asText()).isEqualTo("3");
                page.evaluate("window.sameDocument = true");

                // traffic flows while the page is open and polling
                Thread traffic = new Thread(() -> {
                    TestPipelines.send(in, "ok", 40);
                    TestPipelines.send(in, "none", 6);
                    TestPipelines.send(in, "slow-down", 4);
                });
                traffic.start();
                traffic.join(30_000);
                assertThat(traffic.isAlive()).as("traffic finished").isFalse();

                JsonNode after = figuresAfterTwoMorePolls(page, name);
                assertThat(page.evaluate("window.sameDocument === true").asBoolean())
                        .as("figures moved without reloading the page").isTrue();
                assertThat(after.get("summary").get("count").asText()).isEqualTo("53");
                assertThat(after.get("summary").get("rejected").asText()).isEqualTo("10");
                assertThat(after.get("rows").get("Store").get("count").asText()).isEqualTo("43");
                JsonNode json = pipelineJson(http, dashboard.url(), name);
                assertThat(after.get("summary").get("count").asText()).isEqualTo(json.get("exchanges").get("count").asText());
                for (JsonNode s : json.get("stages")) {
                    JsonNode row = after.get("rows").get(s.get("stage").asText());
                    assertThat(row.get("count").asText()).isEqualTo(s.get("figures").get("count").asText());
                    assertThat(row.get("passed").asText()).isEqualTo(s.get("figures").get("passed").asText());
                    assertThat(row.get("rejected-by-kind").asText()).isEqualTo(kinds(s.get("figures").get("rejected")));
                }
            }
        }
    }

    /**
     * Waits (inside the page, no sleeping here) until the page's script has applied two more polls, so the
     * second one was sent after this call began, then reads the summary and every stage row.
     */
    private static JsonNode figuresAfterTwoMorePolls(DevToolsPage page, String pipeline) throws Exception {
        String script = """
                new Promise(resolve => {
                  const status = document.getElementById('status');
                  const target = Number(status.getAttribute('data-polls')) + 2;
                  const read = () => {
                    const section = [...document.querySelectorAll('section[data-pipeline]')]
                        .find(s => s.getAttribute('data-pipeline') === %s);
                    const fields = root => Object.fromEntries([...root.querySelectorAll('[data-field]')]
                        .map(c => [c.getAttribute('data-field'), c.textContent]));
                    const rows = {};
                    section.querySelectorAll('tr[data-stage]').forEach(r => rows[r.getAttribute('data-stage')] = fields(r));
                    return {summary: fields(section.querySelector('.summary')), rows: rows};
                  };
                  const observer = new MutationObserver(() => {
                    if (Number(status.getAttribute('data-polls')) >= target) { observer.disconnect(); resolve(read()); }
                  });
                  observer.observe(status, {attributes: true});
                })""".formatted(Json.mapper().writeValueAsString(pipeline));
        return page.evaluate(script);
    }

    private static void assertMatchesJson(DumpedDom dom, JsonNode p) {
        JsonNode ex = p.get("exchanges");
        assertThat(dom.summary(NAME)).containsEntry("count", ex.get("count").asText())
                .containsEntry("passed", ex.get("passed").asText())
                .containsEntry("rejected", Long.toString(sum(ex.get("rejected"))))
                .containsEntry("failed", ex.get("failed").asText())
                .containsEntry("inFlight", p.get("inFlight").asText());
        assertThat(dom.row(NAME, p.get("frontend").asText())).containsEntry("count", ex.get("count").asText());
        for (JsonNode s : p.get("stages")) {
            JsonNode f = s.get("figures");
            assertThat(dom.row(NAME, s.get("stage").asText())).as("row of stage %s", s.get("stage").asText())
                    .containsEntry("count", f.get("count").asText())
                    .containsEntry("passed", f.get("passed").asText())
                    .containsEntry("rejected", Long.toString(sum(f.get("rejected"))))
                    .containsEntry("rejected-by-kind", kinds(f.get("rejected")))
                    .containsEntry("failed", f.get("failed").asText())
                    .containsKey("rate");
        }
    }

    private static JsonNode pipelineJson(HttpClient http, URI base) throws Exception {
        return pipelineJson(http, base, NAME);
    }

    private static JsonNode pipelineJson(HttpClient http, URI base, String name) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("api/pipelines"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        for (JsonNode p : Json.mapper().readTree(r.body()).get("pipelines")) {
            if (p.get("name").asText().equals(name)) {
                return p;
            }
        }
        throw new AssertionError("pipeline " + name + " missing from " + r.body());
    }

    private static long sum(JsonNode byKind) {
        long n = 0;
        for (JsonNode v : byKind) {
            n += v.asLong();
        }
        return n;
    }

    private static String kinds(JsonNode byKind) {
        Map<String, Long> sorted = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : byKind.properties()) {
            sorted.put(e.getKey(), e.getValue().asLong());
        }
        StringBuilder b = new StringBuilder();
        sorted.forEach((k, v) -> b.append(b.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
        return b.toString();
    }
}
