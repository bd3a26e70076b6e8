/**
 * A small DICOM SCU client: open an association, C-ECHO, C-STORE files or streams, release.
 * {@link dev.harmony.dicom.scu.DicomClient} is the entry point.
 */
package dev.harmony.dicom.scu;
