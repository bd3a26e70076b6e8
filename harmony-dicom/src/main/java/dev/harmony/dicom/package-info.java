/**
 * DICOM for Harmony: the {@link dev.harmony.dicom.frontend.DicomScp} listener, the
 * {@link dev.harmony.dicom.middleware.AeTitleCheck} guard, the {@link dev.harmony.dicom.backend.DicomFileStore}
 * and {@link dev.harmony.dicom.backend.DicomForward} backends and the {@link dev.harmony.dicom.scu.DicomClient}
 * SCU, all on Harmony's own implementation of PS3.5/3.7/3.8/3.10. Typed exchange attributes live in
 * {@link dev.harmony.dicom.DicomAttributes}; the vocabulary a user needs ({@link dev.harmony.dicom.TransferSyntax},
 * {@link dev.harmony.dicom.Uids}, {@link dev.harmony.dicom.Tags}, {@link dev.harmony.dicom.DimseStatus}) is
 * here too. The encoding, DIMSE and upper-layer code is in {@code dev.harmony.dicom.internal}: not API.
 */
package dev.harmony.dicom;
