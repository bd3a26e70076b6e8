package dev.harmony.pipeline;

import dev.harmony.message.Protocol;

/**
 * Owns a listener (a port, a queue...) and turns protocol traffic into requests for the pipeline's
 * {@link Handler}, then the handler's responses (and rejections) into protocol answers.
 */
public interface Frontend extends Stage {

    /** The protocol this frontend speaks; middleware and backends are checked against it at build time. */
    Protocol protocol();

    /** Starts listening and hands every exchange to {@code handler}. Throws if the listener cannot open. */
    void start(Handler handler) throws Exception;

    /** Stops listening and releases what {@link #start} opened. Called once per successful start. */
    void stop();
}
