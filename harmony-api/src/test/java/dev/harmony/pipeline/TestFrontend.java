package dev.harmony.pipeline;

import dev.harmony.message.Protocol;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The engine's own tests' frontend: harmony-testing's DirectFrontend cannot be used here, as that
 * module depends on this one.
 */
final class TestFrontend implements Frontend {
    private final Protocol protocol;
    private volatile Handler handler;

    private TestFrontend(Protocol protocol) {
        this.protocol = protocol;
    }

    static TestFrontend create() {
        return new TestFrontend(Protocol.MEMORY);
    }

    static TestFrontend speaking(Protocol protocol) {
        return new TestFrontend(protocol);
    }

    Request.Builder request(String operation, String path) {
        return Request.builder(protocol, operation).path(path);
    }

    Response send(Request request) {
        return handler.handle(request);
    }

    Response send(Request.Builder request) {
        return send(request.build());
    }

    CompletionStage<Response> sendAsync(Request request, Executor blocking) {
        return handler.handleAsync(request, blocking);
    }

    @Override
    public Protocol protocol() {
        return protocol;
    }

    @Override
    public void start(Handler pipeline) {
        handler = pipeline;
    }

    @Override
    public void stop() {
        handler = null;
    }

    @Override
    public Description describe() {
        return new Description("Direct Frontend", protocol.name());
    }
}
