package dev.harmony.dicom;

import dev.harmony.dicom.internal.file.FileMeta;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test helper: the meta and the raw data set bytes of a Part-10 file. */
public record Part10(FileMeta meta, byte[] dataset) {
    public static Part10 read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            FileMeta.Opened opened = FileMeta.read(in);
            return new Part10(opened.meta(), opened.dataset().readAllBytes());
        }
    }
}
