package dev.harmony.http.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.harmony.pipeline.Diagram;
import dev.harmony.message.Json;
import dev.harmony.pipeline.Pipeline;
import java.util.List;

/**
 * {@code /api/pipelines}: {@code {"pipelines":[{"name","flow","frontend","exchanges","inFlight",
 * "throughputPerSecond","stages":[{"stage","role","figures"}],"deliveries":[{"destination","attempts",
 * "delivered","retried","dead","p50Millis","p99Millis"}],"diagram":[{"id","role","label","detail"}]}]}},
 * where each figures object is a {@link Figures} ({@code count, passed, rejected{KIND:n}, failed,
 * p50Millis, p99Millis, perSecond}) and {@code diagram} lists the boxes as drawn, sources to targets;
 * plus {@code "queues":[{"destination","store","depth","pending","inFlight","delivered","dead",
 * "oldestPendingSeconds","attempts","failedAttempts"}]} (see {@link QueueFigures}).
 */
final class DashboardJson {
    private DashboardJson() {
    }

    private static void box(ArrayNode boxes, Diagram.Node n, String role) {
        boxes.addObject().put("id", n.id()).put("role", role).put("label", n.label()).put("detail", n.detail());
    }

    static String render(List<Pipeline> pipelines, PipelineMetrics metrics) {
        return render(pipelines, metrics, List.of());
    }

    static String render(List<Pipeline> pipelines, PipelineMetrics metrics, List<QueueFigures> queues) {
        ObjectNode root = Json.mapper().createObjectNode();
        ArrayNode q = root.putArray("queues");
        for (QueueFigures f : queues) {
            q.addObject().put("destination", f.destination()).put("store", f.store()).put("depth", f.depth())
                    .put("pending", f.pending()).put("inFlight", f.inFlight()).put("delivered", f.delivered())
                    .put("dead", f.dead()).put("oldestPendingSeconds", f.oldestPendingSeconds())
                    .put("attempts", f.attempts()).put("failedAttempts", f.failedAttempts());
        }
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
            node.set("deliveries", Json.mapper().valueToTree(f.deliveries()));
            ArrayNode boxes = node.putArray("diagram");
            Diagram d = p.diagram();
            d.sources().forEach(n -> box(boxes, n, "source"));
            box(boxes, d.frontend(), "frontend");
            d.middleware().forEach(n -> box(boxes, n, "middleware"));
            box(boxes, d.backend(), "backend");
            d.targets().forEach(n -> box(boxes, n, "target"));
        }
        try {
            return Json.mapper().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write dashboard figures as JSON", e);
        }
    }
}
