package dev.harmony.pipeline;

/**
 * Thrown where a stage (or a body conversion) cannot return a response; the pipeline turns it back
 * into {@link dev.harmony.message.Response#rejected(Rejection)}.
 */
public final class RejectionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Rejection rejection;

    public RejectionException(Rejection rejection) {
        super(rejection.toString(), null, false, false);
        this.rejection = rejection;
    }

    public Rejection rejection() {
        return rejection;
    }
}
