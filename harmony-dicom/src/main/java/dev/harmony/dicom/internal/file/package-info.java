/**
 * DICOM Part-10 files (PS3.10): preamble, {@code DICM} prefix and the file meta information group.
 * Internal to Harmony: not API, left out of the Javadoc, and it may change in any release.
 */
package dev.harmony.dicom.internal.file;
