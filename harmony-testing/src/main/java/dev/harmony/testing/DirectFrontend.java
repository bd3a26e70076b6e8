package dev.harmony.testing;

import dev.harmony.message.Protocol;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Frontend;
import dev.harmony.pipeline.Handler;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * A frontend without a listener, for unit tests: {@link #send(Request)} pushes a request through the
 * running pipeline and returns its response.
 *
 * <pre>{@code
 * DirectFrontend in = DirectFrontend.speaking(Protocol.HTTP);
 * RecordingBackend out = RecordingBackend.answering(Response.ok());
 * try (Pipeline p = Pipeline.builder().name("t").frontend(in).use(myGuard).backend(out).build()) {
 *     p.start();
 *     assertThat(in.send(in.request("GET", "/Patient/1")).status()).isEqualTo(200);
 * }
 * }</pre>
 */
public final class DirectFrontend implements Frontend {
    private final Protocol protocol;
    private volatile Handler handler;

    private DirectFrontend(Protocol protocol) {
        this.protocol = Objects.requireNonNull(protocol, "protocol");
    }

    /** A direct frontend that claims to speak {@code protocol}, so protocol-specific middleware can be tested. */
    public static DirectFrontend speaking(Protocol protocol) {
        return new DirectFrontend(protocol);
    }

    /** A direct frontend of protocol {@link Protocol#MEMORY}. */
    public static DirectFrontend create() {
        return new DirectFrontend(Protocol.MEMORY);
    }

    /** A request builder of this frontend's protocol. */
    public Request.Builder request(String operation, String path) {
        return Request.builder(protocol, operation).path(path);
    }

    /** Sends {@code request} through the pipeline. */
    public Response send(Request request) {
        Handler h = handler;
        if (h == null) {
            throw new IllegalStateException("the pipeline is not running: call start() first");
        }
        return h.handle(request);
    }

    /**
     * Sends {@code request} the way an event-loop frontend does ({@link Handler#handleAsync}): from this
     * thread, which must not block, with {@code blocking} for the stages that may.
     */
    public CompletionStage<Response> sendAsync(Request request, Executor blocking) {
        Handler h = handler;
        if (h == null) {
            throw new IllegalStateException("the pipeline is not running: call start() first");
        }
        return h.handleAsync(request, blocking);
    }

    /** Builds and sends. */
    public Response send(Request.Builder request) {
        return send(request.build());
    }

    @Override
    public Protocol protocol() {
        return protocol;
    }

    @Override
    public void start(Handler pipeline) {
        this.handler = pipeline;
    }

    @Override
    public void stop() {
        this.handler = null;
    }

    @Override
    public Description describe() {
        return new Description("Direct Frontend", protocol.name());
    }
}
