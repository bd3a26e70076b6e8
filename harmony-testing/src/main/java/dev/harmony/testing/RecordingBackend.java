package dev.harmony.testing;

import dev.harmony.message.Body;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Backend;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A backend for tests: remembers every request it received (with its body read into memory) and
 * answers with a fixed response or a function of the request.
 */
public final class RecordingBackend implements Backend {

    /**
     * A request as the backend received it.
     *
     * @param request the request (its body already read)
     * @param body the body's bytes
     */
    public record Received(Request request, byte[] body) {
        public String bodyText() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private final Function<Request, Response> answer;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    private RecordingBackend(Function<Request, Response> answer) {
        this.answer = answer;
    }

    /** Answers every request with {@code response}. */
    public static RecordingBackend answering(Response response) {
        return new RecordingBackend(r -> response);
    }

    /** Answers with {@code answer.apply(request)}. */
    public static RecordingBackend answering(Function<Request, Response> answer) {
        return new RecordingBackend(answer);
    }

    @Override
    public Response handle(Request request) {
        byte[] body = request.body().bytes();
        Request kept = request.withBody(Body.ofBytes(body, request.body().contentType().orElse(null)));
        received.add(new Received(kept, body));
        return answer.apply(kept);
    }

    /** Everything received so far, in order. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    /** The most recent request; fails if there was none. */
    public Received last() {
        if (received.isEmpty()) {
            throw new AssertionError("the backend received no request");
        }
        return received.get(received.size() - 1);
    }

    public int count() {
        return received.size();
    }

    @Override
    public Description describe() {
        return new Description("Recording Backend", "in memory");
    }
}
