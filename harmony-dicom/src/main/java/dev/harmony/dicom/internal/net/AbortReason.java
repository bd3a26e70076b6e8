package dev.harmony.dicom.internal.net;

/** A-ABORT source 2 (service provider) reasons (PS3.8 table 9-26). */
public final class AbortReason {
    public static final int NOT_SPECIFIED = 0;
    public static final int UNRECOGNIZED_PDU = 1;
    public static final int UNEXPECTED_PDU = 2;
    public static final int UNRECOGNIZED_PDU_PARAMETER = 4;
    public static final int UNEXPECTED_PDU_PARAMETER = 5;
    public static final int INVALID_PDU_PARAMETER_VALUE = 6;

    private AbortReason() {
    }
}
