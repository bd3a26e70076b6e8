package dev.harmony.http.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.pipeline.Pipeline;
import dev.harmony.pipeline.PipelineListener.Delivery;
import dev.harmony.pipeline.PipelineListener.DeliveryEvent;
import dev.harmony.pipeline.Rejection;
import dev.harmony.testing.DirectFrontend;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page's delivery table in real headless Chromium: hidden while a pipeline has no queue attempts,
 * then one row per destination, filled by the page's script from the JSON endpoint. The attempts are
 * reported the way a queue stage reports them (harmony-queue's DeliveryEventsTest drives a real queue).
 */
class DashboardDeliveriesBrowserTest {
    private static final String NAME = "browser-deliveries";

    @TempDir
    Path work;

    private static DeliveryEvent attempt(String destination, int n, Delivery outcome) {
        return new DeliveryEvent(NAME, "x-" + n, destination, "m-" + n, n, outcome,
                outcome == Delivery.DELIVERED ? null : Rejection.upstreamUnavailable("PACS down"), 2_000_000L);
    }

    @Test
    void deliveryAttemptsAppearPerDestinationOnceReported() throws Exception {
        HeadlessChromium chromium = new HeadlessChromium(work);
        DirectFrontend in = DirectFrontend.create();
        try (Pipeline pipeline = TestPipelines.guarded(NAME, in)) {
            pipeline.start();
            try (Dashboard dashboard = Dashboard.on(0).start()) {
                TestPipelines.send(in, "ok", 2);
                DumpedDom before = new DumpedDom(chromium.dumpDom(dashboard.url(), 3000));
                assertThat(before.polls()).isPositive();
                assertThat(before.section(NAME)).contains("<table class=\"deliveries\" hidden")
                        .doesNotContain("data-destination=");

                for (int i = 1; i <= 3; i++) {
                    Pipeline.deliveryAttempted(attempt("pacs", i, Delivery.RETRY_SCHEDULED));
                }
                Pipeline.deliveryAttempted(attempt("pacs", 4, Delivery.DELIVERED));
                Pipeline.deliveryAttempted(attempt("archive", 1, Delivery.DEAD));
                Pipeline.deliveryAttempted(new DeliveryEvent("another-pipeline", "y", "pacs", "m", 1,
                        Delivery.DELIVERED, null, 1L)); // not this pipeline's: not counted here

                DumpedDom after = new DumpedDom(chromium.dumpDom(dashboard.url(), 3000));
                assertThat(after.section(NAME)).doesNotContain("<table class=\"deliveries\" hidden");
                assertThat(after.delivery(NAME, "pacs")).containsEntry("attempts", "4").containsEntry("retried", "3")
                        .containsEntry("delivered", "1").containsEntry("dead", "0");
                assertThat(after.delivery(NAME, "pacs").get("p50")).endsWith(" ms"); // 2 ms, within a log bucket
                assertThat(after.delivery(NAME, "archive")).containsEntry("attempts", "1").containsEntry("dead", "1")
                        .containsEntry("delivered", "0");
            }
        }
    }
}
