package dev.harmony.dicom.internal.net;

import dev.harmony.dicom.UserIdentity;
import java.util.List;

/**
 * The user information item (PS3.8 annex D, PS3.7 annex D.3.3).
 *
 * @param maxPduLength the largest P-DATA-TF PDU the sender can receive; 0 means unlimited
 * @param implementationClassUid required by PS3.7
 * @param implementationVersion optional, may be null
 * @param maxOpsInvoked asynchronous operations window, or 0 if absent
 * @param maxOpsPerformed asynchronous operations window, or 0 if absent
 * @param roles role selection sub-items
 * @param identity the user identity sub-item of an A-ASSOCIATE-RQ (0x58), or null
 * @param identityResponse the server response of an A-ASSOCIATE-AC's user identity sub-item (0x59),
 *        or null for none; empty for a plain confirmation
 */
public record UserInfo(long maxPduLength, String implementationClassUid, String implementationVersion,
        int maxOpsInvoked, int maxOpsPerformed, List<RoleSelection> roles, UserIdentity identity,
        byte[] identityResponse) {
    public UserInfo {
        roles = List.copyOf(roles);
    }

    /** Without user identity negotiation. */
    public UserInfo(long maxPduLength, String implementationClassUid, String implementationVersion,
            int maxOpsInvoked, int maxOpsPerformed, List<RoleSelection> roles) {
        this(maxPduLength, implementationClassUid, implementationVersion, maxOpsInvoked, maxOpsPerformed, roles, null,
                null);
    }
}
