package dev.harmony.dicom.internal.net;

import java.util.List;

/** An A-ASSOCIATE-AC (PS3.8 9.3.3). */
public record AssociateAccept(String calledAe, String callingAe, String applicationContext,
        List<PresentationResult> results, UserInfo userInfo) {
    public AssociateAccept {
        results = List.copyOf(results);
    }
}
