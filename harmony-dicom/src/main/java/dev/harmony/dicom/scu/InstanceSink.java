package dev.harmony.dicom.scu;

import dev.harmony.dicom.Uids;
import dev.harmony.dicom.internal.file.FileMeta;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Receives the instances a C-GET brings back, one C-STORE sub-operation at a time, while the data set is
 * still arriving: {@code dataset} streams it from the association (read it or not; the rest is discarded).
 * Returning answers the sub-operation with 0000; throwing answers it with 0110 (processing failure), or
 * with the failure status of a {@link DimseStatusException}, so the peer counts it as failed.
 */
@FunctionalInterface
public interface InstanceSink {
    /**
     * @param sopClass the instance's SOP class UID
     * @param sopInstance its SOP instance UID
     * @param transferSyntax the transfer syntax {@code dataset} is encoded in
     * @param dataset the data set (no Part-10 preamble or file meta)
     */
    void accept(String sopClass, String sopInstance, String transferSyntax, InputStream dataset) throws IOException;

    /**
     * Writes each instance as a Part-10 file {@code <SOP Instance UID>.dcm} into {@code dir} (which must
     * exist); a file becomes visible only when complete. A SOP instance UID that is not a valid UID (it
     * names the file) is refused.
     */
    static InstanceSink toDirectory(Path dir) {
        return (sopClass, sopInstance, transferSyntax, dataset) -> {
            if (!Uids.isValid(sopInstance)) {
                throw new IOException("refusing to store an instance whose SOP Instance UID is not a UID");
            }
            Path target = dir.resolve(sopInstance + ".dcm");
            Path partial = Files.createTempFile(dir, ".get-", ".part");
            try {
                try (OutputStream out = Files.newOutputStream(partial)) {
                    new FileMeta(sopClass, sopInstance, transferSyntax, null).writeTo(out);
                    dataset.transferTo(out);
                }
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(partial);
            }
        };
    }
}
