package dev.harmony.dicom.frontend;

import dev.harmony.dicom.codec.TransferSyntax;
import dev.harmony.dicom.codec.Uids;
import dev.harmony.dicom.net.AssociateAccept;
import dev.harmony.dicom.net.AssociateRequest;
import dev.harmony.dicom.net.PresentationContext;
import dev.harmony.dicom.net.PresentationResult;
import dev.harmony.dicom.net.RoleSelection;
import dev.harmony.dicom.net.UserInfo;
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

    /** @param sopClasses accepted SOP classes, or null for every storage SOP class, Verification and the C-FIND classes */
    Negotiator(Set<String> sopClasses, List<TransferSyntax> transferSyntaxes, long maxPduLength) {
        this.sopClasses = sopClasses;
        this.transferSyntaxes = transferSyntaxes.stream().map(TransferSyntax::uid).collect(Collectors.toSet());
        this.maxPduLength = maxPduLength;
    }

    boolean acceptsSopClass(String uid) {
        return sopClasses == null ? uid.equals(Uids.VERIFICATION) || Uids.isStorage(uid) || isQuery(uid)
                : sopClasses.contains(uid);
    }

    /** The C-FIND SOP classes, whose identifiers we encode ourselves: little endian, uncompressed only. */
    static boolean isQuery(String uid) {
        return QueryModel.ofFind(uid).isPresent() || QueryModel.ofMove(uid).isPresent();
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
                .map(r -> new RoleSelection(r.sopClass(), r.scu(), false)).toList();
        UserInfo info = new UserInfo(maxPduLength, Uids.IMPLEMENTATION_CLASS, Uids.IMPLEMENTATION_VERSION, 0, 0, roles);
        return new AssociateAccept(rq.calledAe(), rq.callingAe(), Uids.APPLICATION_CONTEXT, results, info);
    }
}
