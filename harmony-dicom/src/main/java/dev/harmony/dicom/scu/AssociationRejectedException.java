package dev.harmony.dicom.scu;

import dev.harmony.dicom.internal.net.AssociateReject;
import java.io.IOException;

/**
 * The called AE answered A-ASSOCIATE-RJ. The three fields are as PS3.8 table 9-21 defines them and as the
 * peer sent them.
 */
public final class AssociationRejectedException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int result;
    private final int source;
    private final int reason;

    /** Internal: made by Harmony's SCU from the PDU it received. */
    AssociationRejectedException(String calledAe, AssociateReject reject) {
        super(calledAe + " rejected the association: " + reject);
        this.result = reject.result();
        this.source = reject.source();
        this.reason = reject.reason();
    }

    /** 1 rejected-permanent, 2 rejected-transient (worth retrying later). */
    public int result() {
        return result;
    }

    /** 1 service user, 2 service provider (ACSE), 3 service provider (presentation). */
    public int source() {
        return source;
    }

    /** The reason; its meaning depends on {@link #source()} (e.g. source 1, reason 3: calling AE not recognized). */
    public int reason() {
        return reason;
    }

    /** The peer does not know the calling or the called AE title: asking again will not help. */
    public boolean unknownAeTitle() {
        return result == AssociateReject.PERMANENT && source == 1 && (reason == 3 || reason == 7);
    }
}
