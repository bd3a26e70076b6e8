package dev.harmony.examples.all;

import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.PipelineListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One INFO line per HTTP exchange: {@code GET /Patient -> 200 in 12 ms}, or the rejection's kind and
 * message, with how the exchange ended (REJECTED by a stage, or FAILED). The DICOM example logs its own
 * lines per association and object.
 */
final class RequestLog implements PipelineListener {
    private final Logger log;

    RequestLog(String pipeline) {
        this.log = LoggerFactory.getLogger("dev.harmony.examples." + pipeline);
    }

    @Override
    public void exchangeFinished(ExchangeEvent event) {
        if (!log.isInfoEnabled()) {
            return;
        }
        Request request = event.request();
        Response response = event.response();
        String target = request.operation() + " " + (request.path().isEmpty() ? "/" : request.path());
        long millis = event.durationNanos() / 1_000_000;
        response.rejection().ifPresentOrElse(
                r -> log.info("{} -> {} {} {}: {} ({} ms)", target, response.status(), event.outcome(), r.kind(),
                        r.message(), millis),
                () -> log.info("{} -> {} in {} ms", target, response.status(), millis));
    }
}
