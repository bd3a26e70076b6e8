package dev.harmony.dicom.internal.net;

/** PDU type codes (PS3.8 section 9.3). */
public final class PduType {
    public static final int ASSOCIATE_RQ = 0x01;
    public static final int ASSOCIATE_AC = 0x02;
    public static final int ASSOCIATE_RJ = 0x03;
    public static final int P_DATA_TF = 0x04;
    public static final int RELEASE_RQ = 0x05;
    public static final int RELEASE_RP = 0x06;
    public static final int ABORT = 0x07;

    private PduType() {
    }

    public static boolean isKnown(int type) {
        return type >= ASSOCIATE_RQ && type <= ABORT;
    }

    public static String name(int type) {
        return switch (type) {
            case ASSOCIATE_RQ -> "A-ASSOCIATE-RQ";
            case ASSOCIATE_AC -> "A-ASSOCIATE-AC";
            case ASSOCIATE_RJ -> "A-ASSOCIATE-RJ";
            case P_DATA_TF -> "P-DATA-TF";
            case RELEASE_RQ -> "A-RELEASE-RQ";
            case RELEASE_RP -> "A-RELEASE-RP";
            case ABORT -> "A-ABORT";
            default -> String.format("unknown PDU type 0x%02X", type);
        };
    }
}
