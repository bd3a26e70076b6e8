package dev.harmony.pipeline;

/** A pipeline could not be built or started; the message names the pipeline and the stage. */
public class PipelineException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PipelineException(String message) {
        super(message);
    }

    public PipelineException(String message, Throwable cause) {
        super(message, cause);
    }
}
