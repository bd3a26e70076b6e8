package dev.harmony.dicom.internal.net;

import java.util.List;

/** An A-ASSOCIATE-RQ (PS3.8 9.3.2). AE titles are trimmed of their padding. */
public record AssociateRequest(int protocolVersion, String calledAe, String callingAe, String applicationContext,
        List<PresentationContext> contexts, UserInfo userInfo) {
    public AssociateRequest {
        contexts = List.copyOf(contexts);
    }
}
