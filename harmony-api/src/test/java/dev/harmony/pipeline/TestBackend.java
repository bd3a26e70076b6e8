package dev.harmony.pipeline;

import dev.harmony.message.Body;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A backend for the engine's own tests: keeps every request (its body read) and answers one response. */
final class TestBackend implements Backend {
    private final Response answer;
    private final List<Request> received = new CopyOnWriteArrayList<>();

    private TestBackend(Response answer) {
        this.answer = answer;
    }

    static TestBackend answering(Response response) {
        return new TestBackend(response);
    }

    @Override
    public Response handle(Request request) {
        received.add(request.withBody(Body.ofBytes(request.body().bytes(), request.body().contentType().orElse(null))));
        return answer;
    }

    Request last() {
        return received.get(received.size() - 1);
    }

    int count() {
        return received.size();
    }

    @Override
    public Description describe() {
        return new Description("Recording Backend", "in memory");
    }
}
