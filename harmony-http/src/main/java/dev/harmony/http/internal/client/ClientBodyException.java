package dev.harmony.http.internal.client;

import java.io.IOException;

/** The client's request body failed on its way to the upstream (cut short, wrong length, client gone): its fault, not the upstream's. */
public final class ClientBodyException extends IOException {
    private static final long serialVersionUID = 1L;

    public ClientBodyException(String message, Throwable cause) {
        super(message, cause);
    }
}
