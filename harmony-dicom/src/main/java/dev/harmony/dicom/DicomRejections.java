package dev.harmony.dicom;

import dev.harmony.pipeline.Rejection;

/**
 * Rejections with DICOM meaning. On an {@code A-ASSOCIATE} exchange the {@code DicomScp} turns the
 * reason code into the matching A-ASSOCIATE-RJ (PS3.8 table 9-21):
 *
 * <pre>
 *  reason / kind                         result          source               reason
 *  {@link #CALLING_AE_NOT_RECOGNIZED}            1 permanent     1 service user       3
 *  {@link #CALLED_AE_NOT_RECOGNIZED}             1 permanent     1 service user       7
 *  TOO_MANY_REQUESTS                     2 transient     3 provider (pres.)   2 local limit exceeded
 *  UNAVAILABLE                           2 transient     3 provider (pres.)   1 temporary congestion
 *  UNAUTHENTICATED (user identity)       1 permanent     2 provider (ACSE)    1 no reason given
 *  anything else                         1 permanent     1 service user       1 no reason given
 * </pre>
 */
public final class DicomRejections {
    /** Reason code: the calling AE title is not allowed. */
    public static final String CALLING_AE_NOT_RECOGNIZED = "dicom:calling-ae-not-recognized";
    /** Reason code: the called AE title is not ours. */
    public static final String CALLED_AE_NOT_RECOGNIZED = "dicom:called-ae-not-recognized";

    private DicomRejections() {
    }

    public static Rejection callingAeNotRecognized(String message) {
        return Rejection.forbidden(message).withReason(CALLING_AE_NOT_RECOGNIZED);
    }

    public static Rejection calledAeNotRecognized(String message) {
        return Rejection.forbidden(message).withReason(CALLED_AE_NOT_RECOGNIZED);
    }
}
