/**
 * The DICOM upper layer (PS3.8): PDU encoding, association negotiation models, a streaming PDU/PDV
 * reader and a P-DATA writer. Internal to Harmony; its API may change without notice.
 */
package dev.harmony.dicom.net;
