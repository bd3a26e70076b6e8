package dev.harmony.examples.dicom;

import dev.harmony.dicom.DicomAttributes;
import dev.harmony.dicom.dimse.DimseStatus;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.PipelineListener;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One info line per received object: who sent which instance, the status answered and the time taken. */
final class ObjectLog implements PipelineListener {
    private static final Logger LOG = LoggerFactory.getLogger("dev.harmony.examples.dicom-scp");
    private final Map<String, String> started = new ConcurrentHashMap<>();

    @Override
    public void exchangeStarted(String pipeline, String exchangeId, Request request) {
        if (request.operation().equals(DicomAttributes.OP_C_STORE)) {
            started.put(exchangeId, request.attribute(DicomAttributes.SOP_INSTANCE_UID).orElse("?") + " from "
                    + request.attribute(DicomAttributes.CALLING_AE).orElse("?"));
        }
    }

    @Override
    public void exchangeFinished(String pipeline, String exchangeId, Response response, long durationNanos) {
        String what = started.remove(exchangeId);
        if (what != null) {
            LOG.info("C-STORE {}: status {} in {} ms{}", what, DimseStatus.hex(DimseStatus.of(response)),
                    durationNanos / 1_000_000, response.rejection().map(r -> " (" + r.message() + ")").orElse(""));
        }
    }
}
