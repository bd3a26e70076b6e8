/**
 * DIMSE messages (PS3.7): command sets, command fields and the reader that turns PDVs into
 * messages with streamed data sets. General enough for C-FIND/C-MOVE/C-GET. Internal to Harmony: not API, left out of the Javadoc, and it may change in any release.
 */
package dev.harmony.dicom.internal.dimse;
