package dev.harmony.http.internal.client;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.xnio.IoFuture;
import org.xnio.StreamConnection;
import org.xnio.XnioExecutor;
import org.xnio.XnioIoThread;

/**
 * The keep-alive connections of one I/O thread to the origin. Every method runs on {@link #ioThread}
 * only, so nothing here needs a lock. {@link #open} counts connections open or being opened; at most
 * {@code maxConnectionsPerThread}, beyond which requests wait in a bounded queue.
 */
final class EventLoopPool {
    final XnioIoThread ioThread;
    private final EventLoopClient client;
    /** Most recently used first: the least likely to have been closed by the upstream's idle timeout. */
    private final ArrayDeque<EventLoopConnection> idle = new ArrayDeque<>();
    private final ArrayDeque<EventLoopExchange> waiting = new ArrayDeque<>();
    private int open;
    private boolean closed;

    EventLoopPool(EventLoopClient client, XnioIoThread ioThread) {
        this.client = client;
        this.ioThread = ioThread;
    }

    void submit(EventLoopExchange exchange) {
        if (closed || client.isClosed()) {
            exchange.fail(new IOException("EventLoopClient is closed"));
            return;
        }
        EventLoopConnection connection = takeIdle();
        if (connection != null) {
            exchange.start(this, connection, true);
        } else if (open < client.maxConnectionsPerThread) {
            connect(exchange);
        } else if (waiting.size() < EventLoopClient.MAX_QUEUED) {
            waiting.add(exchange);
            // connectTimeout bounds the whole wait for a connection, also behind busy ones
            exchange.queueTimer = ioThread.executeAfter(() -> {
                if (waiting.remove(exchange)) {
                    exchange.fail(new SocketTimeoutException("no connection to "
                            + client.origin + " free within " + client.connectTimeoutMillis + " ms (" + open
                            + " busy)"));
                }
            }, client.connectTimeoutMillis, TimeUnit.MILLISECONDS);
        } else {
            exchange.fail(new IOException("too many queued requests for " + client.origin
                    + " (" + EventLoopClient.MAX_QUEUED + " waiting for one of " + open + " connections)"));
        }
    }

    /** Opens a fresh connection for {@code exchange}; the slot it takes is freed by release/retire. */
    void connect(EventLoopExchange exchange) {
        open++;
        boolean[] timedOut = {false};
        XnioExecutor.Key timer = ioThread.executeAfter(() -> {
            timedOut[0] = true;
            exchange.fail(new SocketTimeoutException("no connection to " + client.origin
                    + " within " + client.connectTimeoutMillis + " ms"));
        }, client.connectTimeoutMillis, TimeUnit.MILLISECONDS);
        try {
            // XNIO completes the future on this I/O thread; hop there should a notifier ever run elsewhere
            IoFuture<? extends StreamConnection> opening = client.ssl == null
                    ? ioThread.openStreamConnection(client.connectAddress(), null, client.connectionOptions)
                    : client.ssl.openSslConnection(ioThread, client.connectAddress(), null, client.connectionOptions);
            opening.addNotifier(
                    (future, unused) -> {
                        if (Thread.currentThread() == ioThread) {
                            opened(future, exchange, timer, timedOut[0]);
                        } else {
                            ioThread.execute(() -> opened(future, exchange, timer, timedOut[0]));
                        }
                    }, null);
        } catch (RuntimeException e) { // an unresolvable name, say
            timer.remove();
            connectFailed(exchange, e);
        }
    }

    private void opened(IoFuture<? extends StreamConnection> future, EventLoopExchange exchange,
            XnioExecutor.Key timer, boolean timedOut) {
        timer.remove();
        EventLoopConnection connection;
        try {
            connection = new EventLoopConnection(future.get(), this);
        } catch (IOException | RuntimeException e) { // refused, unreachable, cancelled
            connectFailed(exchange, e);
            return;
        }
        if (timedOut) {
            release(connection); // late, but good for whoever waits next
        } else {
            exchange.start(this, connection, false);
        }
    }

    /** Unreachable, unknown host and the like: all one ConnectException for callers (cause kept). */
    private void connectFailed(EventLoopExchange exchange, Exception e) {
        open--;
        if (e instanceof ConnectException || e instanceof SocketTimeoutException) {
            exchange.fail(e);
        } else {
            ConnectException wrapped = new ConnectException("cannot connect to " + client.origin + ": " + e);
            wrapped.initCause(e);
            exchange.fail(wrapped);
        }
        serveWaiting();
    }

    /** A connection whose exchange ended cleanly: to the next waiting request, else idle. */
    void release(EventLoopConnection connection) {
        if (closed || client.isClosed() || !connection.isOpen()) {
            retire(connection);
            return;
        }
        EventLoopExchange next = nextWaiting();
        if (next != null) {
            next.start(this, connection, true);
        } else {
            idle.push(connection);
        }
    }

    /** Closes a connection that must not be reused and frees its slot for the queue. */
    void retire(EventLoopConnection connection) {
        closeNow(connection);
        open--;
        serveWaiting();
    }

    /** Replaces a broken connection by a fresh one for the same exchange, which keeps the slot. */
    void reconnect(EventLoopConnection broken, EventLoopExchange exchange) {
        closeNow(broken);
        open--;
        connect(exchange);
    }

    private static void closeNow(EventLoopConnection connection) {
        connection.exchange = null;
        connection.close();
    }

    /** The upstream closed an idle connection (or sent what nobody asked for): it leaves the pool. */
    void closedWhileIdle(EventLoopConnection connection) {
        if (idle.remove(connection)) { // else it is closed already
            retire(connection);
        }
    }

    /** A slot was freed: open a connection for the oldest waiting request. */
    private void serveWaiting() {
        if (!waiting.isEmpty() && open < client.maxConnectionsPerThread && !closed) {
            connect(nextWaiting());
        }
    }

    private EventLoopExchange nextWaiting() {
        EventLoopExchange next = waiting.poll();
        if (next != null) {
            next.queueTimer.remove();
        }
        return next;
    }

    void close() {
        closed = true;
        for (EventLoopConnection connection : idle) {
            retire(connection);
        }
        idle.clear();
        for (EventLoopExchange exchange : waiting) {
            exchange.fail(new IOException("EventLoopClient is closed"));
        }
        waiting.clear();
    }

    /** An idle connection still open; ones the upstream closed meanwhile are dropped here. */
    private EventLoopConnection takeIdle() {
        EventLoopConnection connection;
        while ((connection = idle.poll()) != null) {
            if (connection.isOpen()) {
                return connection;
            }
            retire(connection);
        }
        return null;
    }
}
