package dev.harmony.dicom.scu;

import dev.harmony.dicom.TransferSyntax;
import dev.harmony.dicom.Uids;
import java.util.Arrays;
import java.util.List;

/**
 * A presentation context to propose: one SOP class with the transfer syntaxes we can send it in.
 *
 * @param sopClass the SOP class UID
 * @param transferSyntaxes the transfer syntax UIDs, most preferred first
 */
public record Proposal(String sopClass, List<String> transferSyntaxes) {
    public Proposal {
        if (!Uids.isValid(sopClass)) {
            throw new IllegalArgumentException("Proposal: '" + sopClass + "' is not a valid SOP class UID");
        }
        if (transferSyntaxes.isEmpty()) {
            throw new IllegalArgumentException("Proposal for " + sopClass + ": name at least one transfer syntax");
        }
        transferSyntaxes = List.copyOf(transferSyntaxes);
    }

    public static Proposal of(String sopClass, TransferSyntax... syntaxes) {
        return new Proposal(sopClass, Arrays.stream(syntaxes).map(TransferSyntax::uid).toList());
    }

    /** Verification (C-ECHO) in implicit VR little endian, which every SCP must accept. */
    public static Proposal verification() {
        return of(Uids.VERIFICATION, TransferSyntax.IMPLICIT_VR_LITTLE_ENDIAN);
    }
}
