package dev.harmony.examples.dicom;

import dev.harmony.dicom.DicomAttributes;
import dev.harmony.dicom.DimseStatus;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.PipelineListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One info line per received object: who sent which instance, the status answered and the time taken. */
final class ObjectLog implements PipelineListener {
    private static final Logger LOG = LoggerFactory.getLogger("dev.harmony.examples.dicom-scp");

    @Override
    public void exchangeFinished(ExchangeEvent event) {
        Request request = event.request();
        if (!request.operation().equals(DicomAttributes.OP_C_STORE)) {
            return;
        }
        Response response = event.response();
        LOG.info("C-STORE {} from {}: status {} in {} ms{}",
                request.attribute(DicomAttributes.SOP_INSTANCE_UID).orElse("?"),
                request.attribute(DicomAttributes.CALLING_AE).orElse("?"), DimseStatus.hex(DimseStatus.of(response)),
                event.durationNanos() / 1_000_000, response.rejection().map(r -> " (" + r.message() + ")").orElse(""));
    }
}
