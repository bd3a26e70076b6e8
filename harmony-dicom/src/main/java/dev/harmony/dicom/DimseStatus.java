package dev.harmony.dicom;

import dev.harmony.dicom.DicomAttributes;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Rejection;

/**
 * DIMSE status codes (PS3.7 annex C, PS3.4 B.2.3, C.4.1.1.4, C.4.2.1.5, C.4.3.1.4) and the one place
 * where a pipeline's answer becomes a status, per service, since C-FIND, C-MOVE and C-GET define their
 * own failure codes. The mapping, in order:
 *
 * <pre>
 *  answer                                        C-STORE (other)  C-FIND  C-MOVE  C-GET
 *  --------------------------------------------  ---------------  ------  ------  -----
 *  explicit {@link DicomAttributes#DIMSE_STATUS}    that value (e.g. the PACS's own status)
 *  success, no rejection                         0000             0000    0000    0000
 *  UNAUTHENTICATED, FORBIDDEN                    0124             0124    0124    0124   refused: not authorized
 *  MALFORMED                                     C000             C000    C000    C000   cannot understand / unable to process
 *  INVALID                                       A900             A900    A900    A900   does not match SOP class
 *  UNSUPPORTED                                   0122             0122    0122    0122   SOP class not supported
 *  METHOD_NOT_ALLOWED, NOT_IMPLEMENTED           0211             0211    0211    0211   unrecognized operation
 *  CONFLICT (duplicate refused by policy)        0111             C000    C000    C000
 *  NOT_FOUND (C-MOVE: the destination)           0110             C000    A801    C000   move destination unknown
 *  PAYLOAD_TOO_LARGE, URI_TOO_LONG,
 *  HEADERS_TOO_LARGE, TOO_MANY_REQUESTS,
 *  UNAVAILABLE                                   A700             A700    A701    A701   out of resources (A701: unable
 *  UPSTREAM_UNAVAILABLE, UPSTREAM_TIMEOUT        0110             A700    A701    A701     to calculate number of matches)
 *  INTERNAL, EXPECTATION_FAILED                  0110             C000    C000    C000   processing failure / unable to process
 * </pre>
 *
 * C-FIND, C-MOVE and C-GET define no 0110 and no 0111, so their unexpected failures are C000 (unable
 * to process). Once C-MOVE or C-GET sub-operations ran, the final status comes from their counts
 * ({@link #ofSubOperations}).
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
    /** C-MOVE, C-GET: refused, out of resources, unable to calculate the number of matches. */
    public static final int UNABLE_TO_CALCULATE_MATCHES = 0xA701;
    /** C-MOVE, C-GET: refused, out of resources, unable to perform sub-operations. */
    public static final int UNABLE_TO_PERFORM_SUBOPERATIONS = 0xA702;
    /** C-MOVE: refused, move destination unknown. */
    public static final int MOVE_DESTINATION_UNKNOWN = 0xA801;
    public static final int DATA_SET_DOES_NOT_MATCH_SOP_CLASS = 0xA900;
    public static final int CANNOT_UNDERSTAND = 0xC000;
    public static final int WARNING_COERCION = 0xB000;
    /** C-MOVE, C-GET: sub-operations complete, one or more failures or warnings (same code as coercion). */
    public static final int SUBOPERATIONS_WARNING = 0xB000;
    public static final int WARNING_ELEMENTS_DISCARDED = 0xB006;
    public static final int WARNING_DATA_SET_MISMATCH = 0xB007;
    /** C-FIND, C-MOVE, C-GET: ended by the requestor's C-CANCEL. */
    public static final int CANCEL = 0xFE00;
    public static final int PENDING = 0xFF00;

    /** The DIMSE service a status is for: C-FIND, C-MOVE and C-GET have failure codes of their own. */
    public enum Service {
        /** C-STORE, and every service without codes of its own (C-ECHO, association-level answers). */
        STORE,
        FIND,
        MOVE,
        GET
    }

    private DimseStatus() {
    }

    /** The C-STORE status for {@code response}. */
    public static int of(Response response) {
        return of(response, Service.STORE);
    }

    /** The status {@code service} sends for {@code response}. */
    public static int of(Response response, Service service) {
        var explicit = response.attribute(DicomAttributes.DIMSE_STATUS);
        if (explicit.isPresent()) {
            return explicit.get();
        }
        if (response.rejection().isPresent()) {
            return of(response.rejection().get().kind(), service);
        }
        if (response.isSuccess()) {
            return SUCCESS;
        }
        for (Rejection.Kind kind : Rejection.Kind.values()) {
            if (kind.status() == response.status()) {
                return of(kind, service);
            }
        }
        return of(Rejection.Kind.INTERNAL, service);
    }

    /** The C-STORE status for a rejection kind. */
    public static int of(Rejection.Kind kind) {
        return of(kind, Service.STORE);
    }

    /** The status {@code service} sends for a rejection kind (the table above). */
    public static int of(Rejection.Kind kind, Service service) {
        boolean query = service != Service.STORE;
        return switch (kind) {
            case UNAUTHENTICATED, FORBIDDEN -> NOT_AUTHORIZED;
            case MALFORMED -> CANNOT_UNDERSTAND;
            case METHOD_NOT_ALLOWED, NOT_IMPLEMENTED -> UNRECOGNIZED_OPERATION;
            case INVALID -> DATA_SET_DOES_NOT_MATCH_SOP_CLASS;
            case UNSUPPORTED -> SOP_CLASS_NOT_SUPPORTED;
            case CONFLICT -> query ? CANNOT_UNDERSTAND : DUPLICATE_SOP_INSTANCE;
            case NOT_FOUND -> service == Service.MOVE ? MOVE_DESTINATION_UNKNOWN
                    : query ? CANNOT_UNDERSTAND : PROCESSING_FAILURE;
            case PAYLOAD_TOO_LARGE, URI_TOO_LONG, HEADERS_TOO_LARGE, TOO_MANY_REQUESTS, UNAVAILABLE ->
                    outOfResources(service);
            case UPSTREAM_UNAVAILABLE, UPSTREAM_TIMEOUT -> query ? outOfResources(service) : PROCESSING_FAILURE;
            case INTERNAL, EXPECTATION_FAILED -> query ? CANNOT_UNDERSTAND : PROCESSING_FAILURE;
        };
    }

    private static int outOfResources(Service service) {
        return service == Service.MOVE || service == Service.GET ? UNABLE_TO_CALCULATE_MATCHES : OUT_OF_RESOURCES;
    }

    /**
     * The final status of a C-MOVE or C-GET whose sub-operations all ran (PS3.4 C.4.2.3.1): 0000 when
     * all completed, A702 when all failed, B000 (warning) when some failed or had warnings.
     */
    public static int ofSubOperations(int completed, int failed, int warning) {
        if (failed == 0 && warning == 0) {
            return SUCCESS;
        }
        return completed == 0 && warning == 0 ? UNABLE_TO_PERFORM_SUBOPERATIONS : SUBOPERATIONS_WARNING;
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
