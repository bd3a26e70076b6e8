package dev.harmony.dicom.frontend;

import dev.harmony.dicom.TransferSyntax;
import dev.harmony.dicom.Uids;
import dev.harmony.dicom.internal.net.AssociateAccept;
import dev.harmony.dicom.internal.net.AssociateRequest;
import dev.harmony.dicom.internal.net.PresentationContext;
import dev.harmony.dicom.internal.net.PresentationResult;
import dev.harmony.dicom.internal.net.RoleSelection;
import dev.harmony.dicom.internal.net.UserInfo;
import dev.harmony.dicom.query.QueryModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Answers proposed presentation contexts: a context is accepted if its SOP class is accepted and one
 * of its transfer syntaxes is, choosing the first in the requestor's order of preference.
 */
final class Negotiator {
    private final Set<String> sopClasses;
    private final Set<String> transferSyntaxes;
    private final long maxPduLength;
    private final boolean acceptPrivate;

    /**
     * @param sopClasses accepted SOP classes, or null for every storage SOP class, Verification and the
     *     Patient/Study Root FIND and MOVE classes
     * @param acceptPrivate also accept any SOP class outside the DICOM root {@code 1.2.840.10008} (private
     *     or vendor storage classes, which cannot be recognised as storage by their UID)
     */
    Negotiator(Set<String> sopClasses, List<TransferSyntax> transferSyntaxes, long maxPduLength, boolean acceptPrivate) {
        this.sopClasses = sopClasses;
        this.acceptPrivate = acceptPrivate;
        this.transferSyntaxes = transferSyntaxes.stream().map(TransferSyntax::uid).collect(Collectors.toSet());
        this.maxPduLength = maxPduLength;
    }

    boolean acceptsSopClass(String uid) {
        if (acceptPrivate && Uids.isValid(uid) && !uid.startsWith(Uids.DICOM_ROOT)) {
            return true;
        }
        return sopClasses == null ? uid.equals(Uids.VERIFICATION) || Uids.isStorage(uid) || isQuery(uid)
                : sopClasses.contains(uid);
    }

    /**
     * Whether we take the SCU role for {@code uid} when a C-GET requestor asks (SCP/SCU role selection,
     * PS3.7 D.3.3.4): storage classes we accept, so C-STORE sub-operations can go back on the association.
     */
    boolean acceptsStoreSubOperations(String uid) {
        return !isQuery(uid) && !uid.equals(Uids.VERIFICATION) && acceptsSopClass(uid);
    }

    /** The query/retrieve SOP classes, whose identifiers we encode ourselves: little endian, uncompressed only. */
    static boolean isQuery(String uid) {
        return QueryModel.ofFind(uid).isPresent() || QueryModel.ofMove(uid).isPresent()
                || QueryModel.ofGet(uid).isPresent();
    }

    private static boolean queryTransferSyntax(String uid) {
        return uid.equals(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid())
                || uid.equals(TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN.uid());
    }

    AssociateAccept answer(AssociateRequest rq) {
        List<PresentationResult> results = new ArrayList<>();
        for (PresentationContext pc : rq.contexts()) {
            if (!acceptsSopClass(pc.abstractSyntax())) {
                results.add(new PresentationResult(pc.id(), PresentationResult.ABSTRACT_SYNTAX_NOT_SUPPORTED, null));
                continue;
            }
            boolean query = isQuery(pc.abstractSyntax());
            String chosen = pc.transferSyntaxes().stream().filter(transferSyntaxes::contains)
                    .filter(ts -> !query || queryTransferSyntax(ts)).findFirst().orElse(null);
            results.add(chosen == null
                    ? new PresentationResult(pc.id(), PresentationResult.TRANSFER_SYNTAXES_NOT_SUPPORTED, null)
                    : new PresentationResult(pc.id(), PresentationResult.ACCEPTANCE, chosen));
        }
        // We only act as SCP (storage SCP, verification SCP): the requestor may keep its SCU role.
        List<RoleSelection> roles = rq.userInfo().roles().stream()
                .map(r -> new RoleSelection(r.sopClass(), r.scu(), r.scp() && acceptsStoreSubOperations(r.sopClass())))
                .toList();
        // A user identity that got this far was accepted by the pipeline: confirm it if asked (no server response).
        var identity = rq.userInfo().identity();
        byte[] identityResponse = identity != null && identity.positiveResponseRequested() ? new byte[0] : null;
        UserInfo info = new UserInfo(maxPduLength, Uids.IMPLEMENTATION_CLASS, Uids.IMPLEMENTATION_VERSION, 0, 0, roles,
                null, identityResponse);
        return new AssociateAccept(rq.calledAe(), rq.callingAe(), Uids.APPLICATION_CONTEXT, results, info);
    }
}
