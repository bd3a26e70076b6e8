package dev.harmony.dicom;

/** The tags Harmony reads or writes, as {@code (group << 16) | element}. */
public final class Tags {
    public static final int FILE_META_GROUP_LENGTH = 0x0002_0000;
    public static final int FILE_META_VERSION = 0x0002_0001;
    public static final int MEDIA_STORAGE_SOP_CLASS_UID = 0x0002_0002;
    public static final int MEDIA_STORAGE_SOP_INSTANCE_UID = 0x0002_0003;
    public static final int TRANSFER_SYNTAX_UID = 0x0002_0010;
    public static final int IMPLEMENTATION_CLASS_UID = 0x0002_0012;
    public static final int IMPLEMENTATION_VERSION_NAME = 0x0002_0013;
    public static final int SOURCE_AE_TITLE = 0x0002_0016;

    public static final int SOP_CLASS_UID = 0x0008_0016;
    public static final int SOP_INSTANCE_UID = 0x0008_0018;
    public static final int STUDY_INSTANCE_UID = 0x0020_000D;
    public static final int SERIES_INSTANCE_UID = 0x0020_000E;
    public static final int PIXEL_DATA = 0x7FE0_0010;

    public static final int ITEM = 0xFFFE_E000;
    public static final int ITEM_DELIMITATION = 0xFFFE_E00D;
    public static final int SEQUENCE_DELIMITATION = 0xFFFE_E0DD;

    private Tags() {
    }

    /** {@code (gggg,eeee)} for messages. */
    public static String toString(int tag) {
        return String.format("(%04X,%04X)", tag >>> 16, tag & 0xFFFF);
    }
}
