/** DICOM Part-10 files (PS3.10): preamble, {@code DICM} prefix and the file meta information group. */
package dev.harmony.dicom.file;
