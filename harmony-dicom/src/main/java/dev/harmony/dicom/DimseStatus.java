package dev.harmony.dicom;

import dev.harmony.dicom.DicomAttributes;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Rejection;

/**
 * DIMSE status codes (PS3.7 annex C, PS3.4 B.2.3) and the one place where a pipeline's answer becomes
 * a status. The mapping, in order:
 *
 * <pre>
 *  answer                                              status
 *  ---------------------------------------------------  ------------------------------------------
 *  explicit {@link DicomAttributes#DIMSE_STATUS}          that value (e.g. the PACS's own status)
 *  success, no rejection                                0000 Success
 *  UNAUTHENTICATED, FORBIDDEN                           0124 Refused: not authorized
 *  MALFORMED                                            C000 Error: cannot understand
 *  INVALID                                              A900 Error: data set does not match SOP class
 *  UNSUPPORTED                                          0122 Refused: SOP class not supported
 *  CONFLICT (duplicate refused by policy)               0111 Duplicate SOP instance
 *  PAYLOAD_TOO_LARGE, TOO_MANY_REQUESTS, UNAVAILABLE    A700 Refused: out of resources
 *  INTERNAL, UPSTREAM_*, NOT_FOUND, anything else       0110 Processing failure
 * </pre>
 */
public final class DimseStatus {
    public static final int SUCCESS = 0x0000;
    public static final int PROCESSING_FAILURE = 0x0110;
    public static final int DUPLICATE_SOP_INSTANCE = 0x0111;
    public static final int NO_SUCH_SOP_CLASS = 0x0118;
    public static final int SOP_CLASS_NOT_SUPPORTED = 0x0122;
    public static final int NOT_AUTHORIZED = 0x0124;
    public static final int UNRECOGNIZED_OPERATION = 0x0211;
    public static final int OUT_OF_RESOURCES = 0xA700;
    public static final int DATA_SET_DOES_NOT_MATCH_SOP_CLASS = 0xA900;
    public static final int CANNOT_UNDERSTAND = 0xC000;
    public static final int WARNING_COERCION = 0xB000;
    public static final int WARNING_ELEMENTS_DISCARDED = 0xB006;
    public static final int WARNING_DATA_SET_MISMATCH = 0xB007;

    private DimseStatus() {
    }

    /** The status a frontend sends for {@code response}. */
    public static int of(Response response) {
        var explicit = response.attribute(DicomAttributes.DIMSE_STATUS);
        if (explicit.isPresent()) {
            return explicit.get();
        }
        if (response.rejection().isPresent()) {
            return of(response.rejection().get().kind());
        }
        if (response.isSuccess()) {
            return SUCCESS;
        }
        for (Rejection.Kind kind : Rejection.Kind.values()) {
            if (kind.status() == response.status()) {
                return of(kind);
            }
        }
        return PROCESSING_FAILURE;
    }

    /** The status for a rejection kind. */
    public static int of(Rejection.Kind kind) {
        return switch (kind) {
            case UNAUTHENTICATED, FORBIDDEN -> NOT_AUTHORIZED;
            case MALFORMED -> CANNOT_UNDERSTAND;
            case METHOD_NOT_ALLOWED, NOT_IMPLEMENTED -> UNRECOGNIZED_OPERATION;
            case URI_TOO_LONG, HEADERS_TOO_LARGE -> OUT_OF_RESOURCES;
            case EXPECTATION_FAILED -> PROCESSING_FAILURE;
            case INVALID -> DATA_SET_DOES_NOT_MATCH_SOP_CLASS;
            case UNSUPPORTED -> SOP_CLASS_NOT_SUPPORTED;
            case CONFLICT -> DUPLICATE_SOP_INSTANCE;
            case PAYLOAD_TOO_LARGE, TOO_MANY_REQUESTS, UNAVAILABLE -> OUT_OF_RESOURCES;
            case INTERNAL, UPSTREAM_UNAVAILABLE, UPSTREAM_TIMEOUT, NOT_FOUND -> PROCESSING_FAILURE;
        };
    }

    /**
     * The rejection kind for a failure status a peer (a PACS) answered, so that a queue in front of the
     * forwarder can tell what to retry: A7xx (out of resources) and 0110 (processing failure) and other
     * statuses that do not blame the object are retryable; A9xx, Cxxx, 0122, 0118, 0124, 0111, 0117 and
     * 0211 are the object's or the configuration's fault and permanent.
     */
    public static Rejection.Kind kindOf(int status) {
        int high = status & 0xFF00;
        if (high == 0xA700) {
            return Rejection.Kind.UPSTREAM_UNAVAILABLE;
        }
        if (high == 0xA900) {
            return Rejection.Kind.INVALID;
        }
        if ((status & 0xF000) == 0xC000) {
            return Rejection.Kind.MALFORMED;
        }
        return switch (status) {
            case SOP_CLASS_NOT_SUPPORTED, NO_SUCH_SOP_CLASS, UNRECOGNIZED_OPERATION -> Rejection.Kind.UNSUPPORTED;
            case NOT_AUTHORIZED -> Rejection.Kind.FORBIDDEN;
            case DUPLICATE_SOP_INSTANCE -> Rejection.Kind.CONFLICT;
            case 0x0117 -> Rejection.Kind.INVALID; // invalid SOP instance
            default -> Rejection.Kind.UPSTREAM_UNAVAILABLE; // 0110 processing failure and the unknown
        };
    }

    /** Success or a warning (the object was stored). */
    public static boolean isSuccessOrWarning(int status) {
        return status == SUCCESS || status == 0x0001 || (status & 0xF000) == 0xB000 || status == 0x0107
                || status == 0x0116;
    }

    public static String hex(int status) {
        return String.format("%04X", status);
    }
}
