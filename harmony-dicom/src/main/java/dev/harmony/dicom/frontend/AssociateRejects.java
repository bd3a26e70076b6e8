package dev.harmony.dicom.frontend;

import dev.harmony.dicom.DicomRejections;
import dev.harmony.dicom.internal.net.AssociateReject;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Rejection;

/** Maps a refused A-ASSOCIATE exchange to the A-ASSOCIATE-RJ fields (table in {@link DicomRejections}). */
final class AssociateRejects {
    private AssociateRejects() {
    }

    static AssociateReject of(Response response) {
        Rejection r = response.rejection().orElse(null);
        if (r == null) {
            return AssociateReject.noReasonGiven();
        }
        String reason = r.reason().orElse("");
        if (reason.equals(DicomRejections.CALLING_AE_NOT_RECOGNIZED)) {
            return AssociateReject.callingAeNotRecognized();
        }
        if (reason.equals(DicomRejections.CALLED_AE_NOT_RECOGNIZED)) {
            return AssociateReject.calledAeNotRecognized();
        }
        return switch (r.kind()) {
            // A user identity that did not authenticate (PS3.7 D.3.3.7: permanent, ACSE service provider)
            case UNAUTHENTICATED -> new AssociateReject(AssociateReject.PERMANENT, 2, 1);
            case TOO_MANY_REQUESTS -> AssociateReject.localLimitExceeded();
            case UNAVAILABLE -> AssociateReject.temporaryCongestion();
            default -> AssociateReject.noReasonGiven();
        };
    }
}
