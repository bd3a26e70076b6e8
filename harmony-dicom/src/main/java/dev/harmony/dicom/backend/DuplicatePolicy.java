package dev.harmony.dicom.backend;

/** What {@link DicomFileStore} does when a file for the SOP instance already exists. */
public enum DuplicatePolicy {
    /** Replace the existing file atomically (default; a resend usually carries a correction). */
    OVERWRITE,
    /** Keep the existing file, answer success and discard the new copy. */
    KEEP_FIRST,
    /** Keep the existing file and refuse the new copy (C-STORE status 0111 duplicate SOP instance). */
    REJECT
}
