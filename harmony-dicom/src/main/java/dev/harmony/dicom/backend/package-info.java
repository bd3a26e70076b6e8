/**
 * DICOM backends: {@link dev.harmony.dicom.backend.DicomFileStore} (Part-10 files),
 * {@link dev.harmony.dicom.backend.DicomForward} (C-STORE SCU to a PACS) and their store-then-forward
 * composition.
 */
package dev.harmony.dicom.backend;
