package dev.harmony.http.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.harmony.message.Json;
import dev.harmony.pipeline.Pipeline;
import java.util.List;

/**
 * {@code /api/pipelines}: {@code {"pipelines":[{"name","flow","frontend","exchanges","inFlight",
 * "throughputPerSecond","stages":[{"stage","role","figures"}]}]}}, where each figures object is a
 * {@link Figures} ({@code count, passed, rejected{KIND:n}, failed, p50Millis, p99Millis}).
 */
final class DashboardJson {
    private DashboardJson() {
    }

    static String render(List<Pipeline> pipelines, PipelineMetrics metrics) {
        ObjectNode root = Json.mapper().createObjectNode();
        ArrayNode list = root.putArray("pipelines");
        for (Pipeline p : pipelines) {
            PipelineFigures f = metrics.snapshot(p);
            ObjectNode node = list.addObject();
            node.put("name", p.name());
            node.put("flow", p.diagram().flow());
            node.put("frontend", p.diagram().frontend().id());
            node.set("exchanges", Json.mapper().valueToTree(f.exchanges()));
            node.put("inFlight", f.inFlight());
            node.put("throughputPerSecond", f.throughputPerSecond());
            node.set("stages", Json.mapper().valueToTree(f.stages()));
        }
        try {
            return Json.mapper().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write dashboard figures as JSON", e);
        }
    }
}
