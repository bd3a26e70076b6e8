/**
 * DICOM data encoding (PS3.5): transfer syntaxes, element headers, a streaming element reader that
 * skips values (sequences and undefined lengths included) and small writers for meta and command
 * elements. Internal to Harmony: not API, left out of the Javadoc, and it may change in any release.
 */
package dev.harmony.dicom.internal.codec;
