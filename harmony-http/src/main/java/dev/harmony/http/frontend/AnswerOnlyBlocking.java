package dev.harmony.http.frontend;

import io.undertow.io.BlockingReceiverImpl;
import io.undertow.io.BlockingSenderImpl;
import io.undertow.io.Receiver;
import io.undertow.io.Sender;
import io.undertow.io.UndertowOutputStream;
import io.undertow.server.BlockingHttpExchange;
import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Blocking mode for writing an answer from a worker, without Undertow's default of draining the
 * request body with blocking reads before the answer is flushed: a stalled upload would hold the worker
 * and the answer. The request body belongs to {@link UploadSource}; what is left of it Undertow drains
 * without blocking after the exchange ends (bounded by the ingress's body timeout).
 */
final class AnswerOnlyBlocking implements BlockingHttpExchange {
    private final HttpServerExchange exchange;
    private UndertowOutputStream out;

    AnswerOnlyBlocking(HttpServerExchange exchange) {
        this.exchange = exchange;
    }

    @Override
    public InputStream getInputStream() {
        return InputStream.nullInputStream();
    }

    @Override
    public OutputStream getOutputStream() {
        if (out == null) {
            out = new UndertowOutputStream(exchange);
        }
        return out;
    }

    @Override
    public Sender getSender() {
        return new BlockingSenderImpl(exchange, getOutputStream());
    }

    @Override
    public Receiver getReceiver() {
        return new BlockingReceiverImpl(exchange, getInputStream());
    }

    @Override
    public void close() throws IOException {
        if (!exchange.isResponseComplete()) {
            getOutputStream().close();
        }
    }
}
