package dev.harmony.dicom.net;

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
 */
public record UserInfo(long maxPduLength, String implementationClassUid, String implementationVersion,
        int maxOpsInvoked, int maxOpsPerformed, List<RoleSelection> roles) {
    public UserInfo {
        roles = List.copyOf(roles);
    }
}
