package dev.harmony.dicom.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.harmony.dicom.DicomAttributes;
import dev.harmony.dicom.DimseStatus;
import dev.harmony.dicom.Part10;
import dev.harmony.dicom.Tags;
import dev.harmony.dicom.TransferSyntax;
import dev.harmony.dicom.Uids;
import dev.harmony.dicom.internal.codec.ElementWriter;
import dev.harmony.message.Body;
import dev.harmony.message.Protocol;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.testing.DirectFrontend;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DicomFileStoreTest {
    private static final String STUDY = "1.2.3";
    private static final String SERIES = "1.2.3.4";

    @TempDir
    Path tmp;

    private static byte[] dataset(String instance, byte fill) {
        byte[] pixels = new byte[2048];
        java.util.Arrays.fill(pixels, fill);
        return ElementWriter.explicitLittleEndian().uid(Tags.SOP_CLASS_UID, Uids.CT_IMAGE_STORAGE)
                .uid(Tags.SOP_INSTANCE_UID, instance).uid(Tags.STUDY_INSTANCE_UID, STUDY)
                .uid(Tags.SERIES_INSTANCE_UID, SERIES).bytes(Tags.PIXEL_DATA, "OW", pixels).toByteArray();
    }

    private static Request store(String instance, byte[] data) {
        return Request.builder(Protocol.DICOM, DicomAttributes.OP_C_STORE)
                .attribute(DicomAttributes.SOP_CLASS_UID, Uids.CT_IMAGE_STORAGE)
                .attribute(DicomAttributes.SOP_INSTANCE_UID, instance)
                .attribute(DicomAttributes.TRANSFER_SYNTAX, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN)
                .attribute(DicomAttributes.CALLING_AE, "CT1")
                .body(Body.ofStream(new ByteArrayInputStream(data), data.length, DicomAttributes.DATASET_CONTENT_TYPE))
                .build();
    }

    private Response send(DicomFileStore store, Request request) {
        DirectFrontend in = DirectFrontend.speaking(Protocol.DICOM);
        try (Pipeline p = Pipeline.builder().name("store").frontend(in).backend(store).build()) {
            p.start();
            return in.send(request);
        }
    }

    private long files() throws Exception {
        try (Stream<Path> s = Files.walk(tmp)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void writesAValidPart10FileAtTheLayoutPath() throws Exception {
        byte[] data = dataset("1.2.3.4.5", (byte) 1);
        Response r = send(DicomFileStore.under(tmp).build(), store("1.2.3.4.5", data));
        Path file = tmp.resolve(STUDY).resolve(SERIES).resolve("1.2.3.4.5.dcm");
        assertThat(r.isSuccess()).isTrue();
        assertThat(r.attribute(DicomAttributes.STORED_FILE)).contains(file);
        Part10 stored = Part10.read(file);
        assertThat(stored.dataset()).isEqualTo(data);
        assertThat(stored.meta().sourceAeTitle()).isEqualTo("CT1");
        assertThat(stored.meta().transferSyntaxUid()).isEqualTo(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid());
    }

    @Test
    void aSeriesDirectoryRemovedBetweenObjectsIsCreatedAgain() throws Exception {
        DicomFileStore store = DicomFileStore.under(tmp).build();
        DirectFrontend in = DirectFrontend.speaking(Protocol.DICOM);
        try (Pipeline p = Pipeline.builder().name("store").frontend(in).backend(store).build()) {
            p.start();
            assertThat(in.send(store("1.2.3.4.20", dataset("1.2.3.4.20", (byte) 1))).isSuccess()).isTrue();
            Path series = tmp.resolve(STUDY).resolve(SERIES);
            Files.delete(series.resolve("1.2.3.4.20.dcm"));
            Files.delete(series);
            assertThat(in.send(store("1.2.3.4.21", dataset("1.2.3.4.21", (byte) 2))).isSuccess()).isTrue();
            assertThat(Part10.read(series.resolve("1.2.3.4.21.dcm")).dataset()).isEqualTo(dataset("1.2.3.4.21", (byte) 2));
        }
    }

    @Test
    void noTemporaryFileIsLeftBehindWhetherRenamedOrLinked() throws Exception {
        for (DuplicatePolicy policy : DuplicatePolicy.values()) {
            String uid = "1.2.3.4.3" + policy.ordinal();
            Response r = send(DicomFileStore.under(tmp).onDuplicate(policy).build(), store(uid, dataset(uid, (byte) 5)));
            assertThat(r.isSuccess()).as(policy.name()).isTrue();
            assertThat(Part10.read(tmp.resolve(STUDY).resolve(SERIES).resolve(uid + ".dcm")).dataset())
                    .isEqualTo(dataset(uid, (byte) 5));
        }
        try (Stream<Path> s = Files.walk(tmp)) {
            assertThat(s.filter(Files::isRegularFile).map(p -> p.getFileName().toString()))
                    .hasSize(DuplicatePolicy.values().length).allMatch(name -> name.endsWith(".dcm") && !name.startsWith("."));
        }
    }

    @Test
    void duplicatePolicies() throws Exception {
        String uid = "1.2.3.4.6";
        Path file = tmp.resolve(STUDY).resolve(SERIES).resolve(uid + ".dcm");
        send(DicomFileStore.under(tmp).build(), store(uid, dataset(uid, (byte) 1)));

        Response kept = send(DicomFileStore.under(tmp).onDuplicate(DuplicatePolicy.KEEP_FIRST).build(),
                store(uid, dataset(uid, (byte) 2)));
        assertThat(kept.isSuccess()).isTrue();
        assertThat(Part10.read(file).dataset()).isEqualTo(dataset(uid, (byte) 1));

        Response refused = send(DicomFileStore.under(tmp).onDuplicate(DuplicatePolicy.REJECT).build(),
                store(uid, dataset(uid, (byte) 3)));
        assertThat(DimseStatus.of(refused)).isEqualTo(DimseStatus.DUPLICATE_SOP_INSTANCE);
        assertThat(Part10.read(file).dataset()).isEqualTo(dataset(uid, (byte) 1));

        Response replaced = send(DicomFileStore.under(tmp).onDuplicate(DuplicatePolicy.OVERWRITE).build(),
                store(uid, dataset(uid, (byte) 4)));
        assertThat(replaced.isSuccess()).isTrue();
        assertThat(Part10.read(file).dataset()).isEqualTo(dataset(uid, (byte) 4));
        assertThat(files()).isEqualTo(1);
    }

    @Test
    void uidsThatCouldEscapeTheRootAreRefused() throws Exception {
        Response r = send(DicomFileStore.under(tmp.resolve("root")).build(),
                store("../../escape", dataset("../../escape", (byte) 1)));
        assertThat(DimseStatus.of(r)).isEqualTo(DimseStatus.DATA_SET_DOES_NOT_MATCH_SOP_CLASS);
        byte[] badStudy = ElementWriter.explicitLittleEndian().uid(Tags.SOP_INSTANCE_UID, "1.2.9")
                .uid(Tags.STUDY_INSTANCE_UID, "..").uid(Tags.SERIES_INSTANCE_UID, SERIES).toByteArray();
        assertThat(DimseStatus.of(send(DicomFileStore.under(tmp.resolve("root")).build(), store("1.2.9", badStudy))))
                .isEqualTo(DimseStatus.DATA_SET_DOES_NOT_MATCH_SOP_CLASS);
        assertThat(files()).isZero();
    }

    @Test
    void mismatchedOrUnparsableDataSetsAreRefused() throws Exception {
        Response mismatch = send(DicomFileStore.under(tmp).build(), store("1.2.7", dataset("1.2.8", (byte) 1)));
        assertThat(DimseStatus.of(mismatch)).isEqualTo(DimseStatus.DATA_SET_DOES_NOT_MATCH_SOP_CLASS);
        Response garbage = send(DicomFileStore.under(tmp).build(), store("1.2.7", "not dicom at all".getBytes()));
        assertThat(DimseStatus.of(garbage)).isEqualTo(DimseStatus.CANNOT_UNDERSTAND);
        assertThat(files()).isZero();
    }

    @Test
    void misconfigurationFailsAtConstruction() {
        assertThatThrownBy(() -> DicomFileStore.under(tmp).layout("{StudyInstanceUID}/x.dcm").build())
                .hasMessageContaining("DicomFileStore.layout").hasMessageContaining("{SOPInstanceUID}");
        assertThatThrownBy(() -> DicomFileStore.under(tmp).layout("../{SOPInstanceUID}.dcm").build())
                .hasMessageContaining("DicomFileStore.layout");
        assertThatThrownBy(() -> DicomFileStore.under(tmp).layout("{PatientName}/{SOPInstanceUID}.dcm").build())
                .hasMessageContaining("unknown placeholder {PatientName}");
    }
}
