package dev.harmony.dicom.query;

import java.nio.file.Path;

/**
 * One stored instance to retrieve: what a C-MOVE or C-GET sends as a C-STORE sub-operation.
 *
 * @param sopClassUid the SOP class
 * @param sopInstanceUid the SOP instance
 * @param transferSyntaxUid the transfer syntax the file is encoded in
 * @param file the Part-10 file
 */
public record StoredInstance(String sopClassUid, String sopInstanceUid, String transferSyntaxUid, Path file) {
}
