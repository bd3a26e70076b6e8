package dev.harmony.dicom.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.dicom.Dcmtk;
import dev.harmony.dicom.backend.DicomFileStore;
import dev.harmony.pipeline.Pipeline;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** storescu proposing a private (non-standard-root) SOP class: refused by default, stored with the option. */
class PrivateSopClassTest {
    private static final String PRIVATE_CLASS = "1.3.6.1.4.1.9590.100.1.2.999";
    private static final String HANGING_PROTOCOL = "1.2.840.10008.5.1.4.38.1";
    private static final String STUDY = "1.2.826.0.1.3680043.2.1125.55";

    @TempDir
    Path tmp;

    private Path object(String sopClass, String instance) throws Exception {
        Path dump = tmp.resolve(instance + ".txt");
        Files.writeString(dump, String.join("\n", "(0008,0016) UI [" + sopClass + "]", "(0008,0018) UI [" + instance + "]",
                "(0010,0010) PN [Private^Object]", "(0020,000d) UI [" + STUDY + "]", "(0020,000e) UI [" + STUDY + ".1]",
                "(0009,0010) LO [ACME 1.0]", "(0009,1001) LO [vendor data]", ""));
        Path out = tmp.resolve(instance + ".dcm");
        Dcmtk.Result r = Dcmtk.run(Duration.ofSeconds(30), "dump2dcm", "+te", dump.toString(), out.toString());
        assertThat(r.exitCode()).as(r.output()).isZero();
        return out;
    }

    /**
     * storescu refuses files of SOP classes it does not know unless a configuration profile names the
     * class; this one proposes exactly the files' SOP classes in explicit VR little endian.
     */
    private Path profile(String... sopClasses) throws Exception {
        StringBuilder cfg = new StringBuilder("[[TransferSyntaxes]]\n[Explicit]\nTransferSyntax1 = LittleEndianExplicit\n"
                + "[[PresentationContexts]]\n[Contexts]\n");
        for (int i = 0; i < sopClasses.length; i++) {
            cfg.append("PresentationContext").append(i + 1).append(" = ").append(sopClasses[i]).append("\\Explicit\n");
        }
        cfg.append("[[Profiles]]\n[Test]\nPresentationContexts = Contexts\n");
        Path file = tmp.resolve("storescu.cfg");
        Files.writeString(file, cfg);
        return file;
    }

    private Dcmtk.Result send(boolean acceptPrivate, Path store, String sopClass, Path file) throws Exception {
        DicomScp scp = DicomScp.port(0).bindAddress("127.0.0.1").acceptPrivateSopClasses(acceptPrivate).build();
        try (Pipeline p = Pipeline.builder().name("private").frontend(scp).backend(DicomFileStore.under(store).build()).build()) {
            p.start();
            return Dcmtk.run(Duration.ofSeconds(60), "storescu", "-xf", profile(sopClass).toString(), "Test",
                    "-aet", "MODALITY", "-aec", "HARMONY", "127.0.0.1", String.valueOf(scp.localPort()), file.toString());
        }
    }

    @Test
    void privateSopClassIsRefusedByDefaultAndStoredWithTheOption() throws Exception {
        Path vendor = object(PRIVATE_CLASS, STUDY + ".1.1");
        Path refusedStore = tmp.resolve("refused");
        Dcmtk.Result refused = send(false, refusedStore, PRIVATE_CLASS, vendor);
        assertThat(refused.exitCode()).isNotZero();
        assertThat(refused.output()).contains("No Acceptable Presentation Contexts");
        assertThat(Files.exists(refusedStore.resolve(STUDY))).isFalse();

        Path store = tmp.resolve("accepted");
        Dcmtk.Result accepted = send(true, store, PRIVATE_CLASS, vendor);
        assertThat(accepted.exitCode()).as(accepted.output()).isZero();
        assertThat(accepted.output()).doesNotContainIgnoringCase("error");
        assertThat(store.resolve(STUDY).resolve(STUDY + ".1").resolve(STUDY + ".1.1.dcm")).isRegularFile();
    }

    @Test
    void standardStorageClassesOutsideTheStorageRootAreAcceptedByDefault() throws Exception {
        Path hanging = object(HANGING_PROTOCOL, STUDY + ".2.1");
        Path store = tmp.resolve("store");
        Dcmtk.Result r = send(false, store, HANGING_PROTOCOL, hanging);
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(store.resolve(STUDY).resolve(STUDY + ".1").resolve(STUDY + ".2.1.dcm")).isRegularFile();
    }
}
