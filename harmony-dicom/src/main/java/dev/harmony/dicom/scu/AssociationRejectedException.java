package dev.harmony.dicom.scu;

import dev.harmony.dicom.net.AssociateReject;
import java.io.IOException;

/** The called AE answered A-ASSOCIATE-RJ. */
public final class AssociationRejectedException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient AssociateReject reject;

    public AssociationRejectedException(String calledAe, AssociateReject reject) {
        super(calledAe + " rejected the association: " + reject);
        this.reject = reject;
    }

    /** Result, source and reason as sent by the peer. */
    public AssociateReject reject() {
        return reject;
    }
}
