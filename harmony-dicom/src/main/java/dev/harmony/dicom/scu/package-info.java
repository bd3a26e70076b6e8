/**
 * A small DICOM SCU client: open an association, C-ECHO, C-STORE files or streams, C-FIND, C-MOVE,
 * C-GET (instances back into an {@link dev.harmony.dicom.scu.InstanceSink}), release.
 * {@link dev.harmony.dicom.scu.DicomClient} is the entry point.
 */
package dev.harmony.dicom.scu;
