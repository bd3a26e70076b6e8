package dev.harmony.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.harmony.message.Json;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The changing part of a message: its state, attempts, next due time and history. Every change builds
 * a new value, which the store then makes durable as a whole.
 */
record Progress(MessageState state, int attempts, Instant nextAttemptAt, List<MessageEvent> history) {
    /** Longer histories keep the first event (the accept) and the latest ones. */
    static final int MAX_HISTORY = 100;

    Progress {
        history = List.copyOf(history);
    }

    static Progress accepted(Instant now) {
        return new Progress(MessageState.PENDING, 0, now, List.of(new MessageEvent(now, MessageEvent.Type.ACCEPTED, "")));
    }

    Progress next(MessageState newState, int newAttempts, Instant due, MessageEvent event) {
        List<MessageEvent> h = new ArrayList<>(history);
        h.add(event);
        if (h.size() > MAX_HISTORY) {
            h.subList(1, h.size() - MAX_HISTORY + 1).clear();
        }
        return new Progress(newState, newAttempts, due, h);
    }

    byte[] toJson() {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("v", 1).put("state", state.name()).put("attempts", attempts).put("nextAttemptAt", nextAttemptAt.toString());
        n.set("history", historyJson(history));
        try {
            return Json.mapper().writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write message state", e);
        }
    }

    static Progress fromJson(byte[] json) throws IOException {
        JsonNode n = Json.mapper().readTree(json);
        if (n == null || n.path("v").asInt() != 1) {
            throw new IOException("unknown message state version");
        }
        return new Progress(MessageState.valueOf(n.path("state").asText()), n.path("attempts").asInt(),
                Instant.parse(n.path("nextAttemptAt").asText()), historyFrom(n.path("history")));
    }

    static ArrayNode historyJson(List<MessageEvent> events) {
        ArrayNode a = Json.mapper().createArrayNode();
        for (MessageEvent e : events) {
            a.addObject().put("at", e.at().toString()).put("type", e.type().name()).put("detail", e.detail());
        }
        return a;
    }

    static List<MessageEvent> historyFrom(JsonNode array) {
        List<MessageEvent> events = new ArrayList<>();
        for (JsonNode e : array) {
            events.add(new MessageEvent(Instant.parse(e.path("at").asText()),
                    MessageEvent.Type.valueOf(e.path("type").asText()), e.path("detail").asText()));
        }
        return events;
    }
}
