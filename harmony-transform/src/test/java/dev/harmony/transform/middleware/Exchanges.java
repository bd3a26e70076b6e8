package dev.harmony.transform.middleware;

import dev.harmony.message.Body;
import dev.harmony.message.Protocol;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Middleware;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.testing.DirectFrontend;
import dev.harmony.testing.RecordingBackend;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/** Runs one JSON body through a small real pipeline: DirectFrontend -> stages -> RecordingBackend. */
final class Exchanges implements AutoCloseable {
    final DirectFrontend in = DirectFrontend.speaking(Protocol.HTTP);
    final RecordingBackend out;
    /** The body object the backend was handed, to check it arrives parsed (not re-serialised). */
    final AtomicReference<Body> seenByBackend = new AtomicReference<>();
    private final Pipeline pipeline;

    private Exchanges(Function<dev.harmony.message.Request, Response> answer, Middleware... stages) {
        this.out = RecordingBackend.answering(answer);
        var builder = Pipeline.builder().name("json-test").frontend(in);
        for (Middleware m : stages) {
            builder.use(m);
        }
        Middleware spy = chain -> {
            seenByBackend.set(chain.request().body());
            return chain.proceed(chain.request());
        };
        builder.use("spy", spy);
        pipeline = builder.backend(out).build();
        pipeline.start();
    }

    Exchanges(Middleware... stages) {
        this(r -> Response.ok(), stages);
    }

    /** Like the constructor, with the backend answering {@code answer(request)}. */
    static Exchanges answering(Function<dev.harmony.message.Request, Response> answer, Middleware... stages) {
        return new Exchanges(answer, stages);
    }

    Response post(String body) {
        return in.send(in.request("POST", "/in").body(Body.ofText(body, "application/json")));
    }

    String received() {
        return out.last().bodyText();
    }

    @Override
    public void close() {
        pipeline.close();
    }
}
