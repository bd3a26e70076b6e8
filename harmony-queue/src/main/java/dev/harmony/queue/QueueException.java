package dev.harmony.queue;

/** A queue store could not be read or changed (an I/O or database error), from the operations API. */
public final class QueueException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public QueueException(String message, Throwable cause) {
        super(message, cause);
    }
}
