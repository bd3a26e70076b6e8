/**
 * DICOM data encoding (PS3.5): transfer syntaxes, element headers, a streaming element reader that
 * skips values (sequences and undefined lengths included) and small writers for meta and command
 * elements. Internal to Harmony; its API may change without notice.
 */
package dev.harmony.dicom.codec;
