package dev.harmony.dicom.middleware;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.harmony.dicom.DicomAttributes;
import dev.harmony.dicom.DicomRejections;
import dev.harmony.message.Attribute;
import dev.harmony.message.Protocol;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.testing.DirectFrontend;
import dev.harmony.testing.RecordingBackend;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class AeTitleCheckTest {

    private static Response send(AeTitleCheck check, String calling, String called, String peer) {
        DirectFrontend in = DirectFrontend.speaking(Protocol.DICOM);
        try (Pipeline p = Pipeline.builder().name("check").frontend(in).use(check)
                .backend(RecordingBackend.answering(Response.ok())).build()) {
            p.start();
            return in.send(Request.builder(Protocol.DICOM, DicomAttributes.OP_ASSOCIATE)
                    .attribute(DicomAttributes.CALLING_AE, calling).attribute(DicomAttributes.CALLED_AE, called)
                    .attribute(DicomAttributes.LOCAL_AE, "HARMONY")
                    .attribute(Attribute.REMOTE_ADDRESS, new InetSocketAddress(peer, 40000)).build());
        }
    }

    private static String reason(Response r) {
        return r.rejection().flatMap(x -> x.reason()).orElse("accepted");
    }

    @Test
    void callingAndCalledTitlesAreChecked() {
        AeTitleCheck check = AeTitleCheck.allow("CT1", "MR1").build();
        assertThat(send(check, "CT1", "HARMONY", "127.0.0.1").isSuccess()).isTrue();
        assertThat(reason(send(check, "XA9", "HARMONY", "127.0.0.1"))).isEqualTo(DicomRejections.CALLING_AE_NOT_RECOGNIZED);
        assertThat(reason(send(check, "CT1", "OTHER", "127.0.0.1"))).isEqualTo(DicomRejections.CALLED_AE_NOT_RECOGNIZED);
        assertThat(reason(send(AeTitleCheck.allow("CT1", "MR1").calledAe("GATEWAY").build(), "CT1", "GATEWAY", "127.0.0.1"))).isEqualTo("accepted");
        assertThat(reason(send(AeTitleCheck.anyCallingAe().build(), "ANYONE", "HARMONY", "127.0.0.1"))).isEqualTo("accepted");
    }

    @Test
    void pinnedTitlesOnlyFromTheirHost() {
        AeTitleCheck check = AeTitleCheck.allow("CT1", "MR1").pin("CT1", "127.0.0.2").build();
        assertThat(send(check, "CT1", "HARMONY", "127.0.0.2").isSuccess()).isTrue();
        assertThat(reason(send(check, "CT1", "HARMONY", "127.0.0.1"))).isEqualTo(DicomRejections.CALLING_AE_NOT_RECOGNIZED);
        assertThat(send(check, "MR1", "HARMONY", "127.0.0.1").isSuccess()).isTrue();
        assertThat(check.describe().detail()).isEqualTo("Calling AE: CT1, MR1 · pinned: CT1@127.0.0.2");
    }

    @Test
    void misconfigurationFailsAtConstruction() {
        assertThatThrownBy(() -> AeTitleCheck.allow("WAY_TOO_LONG_AE_TITLE").build()).hasMessageContaining("AeTitleCheck.allow");
        assertThatThrownBy(() -> AeTitleCheck.allow("CT1").pin("MR1", "127.0.0.1").build())
                .hasMessageContaining("AeTitleCheck.pin").hasMessageContaining("not on the allow-list");
        assertThatThrownBy(() -> AeTitleCheck.allow(java.util.List.of()).build()).hasMessageContaining("at least one");
    }
}
