package dev.harmony.http.internal.client;

import java.net.SocketTimeoutException;

/**
 * No connection to the upstream within the connect timeout (queueing behind busy ones included): nothing
 * was sent, so a caller may retry even a request that is not idempotent. Still a timeout for callers that
 * only ask {@code instanceof SocketTimeoutException}.
 */
public final class ConnectTimeoutException extends SocketTimeoutException {
    private static final long serialVersionUID = 1L;

    ConnectTimeoutException(String message) {
        super(message);
    }
}
