/**
 * The DICOM upper layer (PS3.8): PDU encoding, association negotiation models, a streaming PDU/PDV
 * reader and a P-DATA writer. Internal to Harmony: not API, left out of the Javadoc, and it may change in any release.
 */
package dev.harmony.dicom.internal.net;
