package dev.harmony.dicom.internal.net;

/**
 * A presentation context answer in an A-ASSOCIATE-AC (PS3.8 9.3.3.2).
 *
 * @param id the proposed context's id
 * @param result {@link #ACCEPTANCE} or one of the rejection codes
 * @param transferSyntax the accepted transfer syntax UID (meaningless unless accepted)
 */
public record PresentationResult(int id, int result, String transferSyntax) {
    public static final int ACCEPTANCE = 0;
    public static final int USER_REJECTION = 1;
    public static final int NO_REASON = 2;
    public static final int ABSTRACT_SYNTAX_NOT_SUPPORTED = 3;
    public static final int TRANSFER_SYNTAXES_NOT_SUPPORTED = 4;

    public boolean accepted() {
        return result == ACCEPTANCE;
    }
}
