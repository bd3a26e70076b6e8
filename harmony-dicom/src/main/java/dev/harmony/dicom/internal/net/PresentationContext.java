package dev.harmony.dicom.internal.net;

import java.util.List;

/**
 * A proposed presentation context of an A-ASSOCIATE-RQ (PS3.8 9.3.2.2).
 *
 * @param id odd number 1-255
 * @param abstractSyntax the SOP class UID
 * @param transferSyntaxes the proposed transfer syntax UIDs, in the requestor's order of preference
 */
public record PresentationContext(int id, String abstractSyntax, List<String> transferSyntaxes) {
    public PresentationContext {
        transferSyntaxes = List.copyOf(transferSyntaxes);
    }
}
