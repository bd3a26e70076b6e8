/** DICOM middleware: {@link dev.harmony.dicom.middleware.AeTitleCheck}. */
package dev.harmony.dicom.middleware;
