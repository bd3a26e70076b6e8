package dev.harmony.dicom.internal.net;

/**
 * An A-ASSOCIATE-RJ (PS3.8 9.3.4, table 9-21).
 *
 * @param result 1 rejected-permanent, 2 rejected-transient
 * @param source 1 service user, 2 service provider (ACSE), 3 service provider (presentation)
 * @param reason depends on the source; e.g. source 1: 1 no reason, 2 application context not supported,
 *        3 calling AE not recognized, 7 called AE not recognized; source 2: 1 no reason, 2 protocol version
 *        not supported; source 3: 1 temporary congestion, 2 local limit exceeded
 */
public record AssociateReject(int result, int source, int reason) {
    public static final int PERMANENT = 1;
    public static final int TRANSIENT = 2;

    public static AssociateReject callingAeNotRecognized() {
        return new AssociateReject(PERMANENT, 1, 3);
    }

    public static AssociateReject calledAeNotRecognized() {
        return new AssociateReject(PERMANENT, 1, 7);
    }

    public static AssociateReject noReasonGiven() {
        return new AssociateReject(PERMANENT, 1, 1);
    }

    public static AssociateReject applicationContextNotSupported() {
        return new AssociateReject(PERMANENT, 1, 2);
    }

    public static AssociateReject protocolVersionNotSupported() {
        return new AssociateReject(PERMANENT, 2, 2);
    }

    public static AssociateReject temporaryCongestion() {
        return new AssociateReject(TRANSIENT, 3, 1);
    }

    public static AssociateReject localLimitExceeded() {
        return new AssociateReject(TRANSIENT, 3, 2);
    }

    @Override
    public String toString() {
        return "A-ASSOCIATE-RJ(result " + result + ", source " + source + ", reason " + reason + ")";
    }
}
