package dev.harmony.pipeline;

/** The terminal stage: either a blocking {@link Backend} or a non-blocking {@link AsyncBackend}. */
public sealed interface BackendStage extends Stage permits Backend, AsyncBackend {

    /** Opens resources (connection pools, directories). Called before middleware and frontend start. */
    default void start() throws Exception {
    }

    /** Releases what {@link #start()} opened. */
    default void stop() {
    }
}
