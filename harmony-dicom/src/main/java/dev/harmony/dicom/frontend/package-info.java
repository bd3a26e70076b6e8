/** The DICOM listener frontend: {@link dev.harmony.dicom.frontend.DicomScp}. */
package dev.harmony.dicom.frontend;
