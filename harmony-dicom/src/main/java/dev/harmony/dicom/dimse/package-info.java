/**
 * DIMSE messages (PS3.7): command sets, command fields, statuses and the reader that turns PDVs into
 * messages with streamed data sets. General enough for C-FIND/C-MOVE/C-GET. Internal to Harmony.
 */
package dev.harmony.dicom.dimse;
