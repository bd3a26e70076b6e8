package dev.harmony.dicom.internal.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.harmony.dicom.Uids;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PduCodecTest {
    private static byte[] body(byte[] pdu) {
        return Arrays.copyOfRange(pdu, 6, pdu.length);
    }

    @Test
    void associateRequestRoundTrips() throws Exception {
        AssociateRequest rq = new AssociateRequest(1, "HARMONY", "CT1", Uids.APPLICATION_CONTEXT,
                List.of(new PresentationContext(1, Uids.CT_IMAGE_STORAGE, List.of("1.2.840.10008.1.2.1", "1.2.840.10008.1.2")),
                        new PresentationContext(3, Uids.VERIFICATION, List.of("1.2.840.10008.1.2"))),
                new UserInfo(16384, Uids.IMPLEMENTATION_CLASS, "X", 1, 1, List.of(new RoleSelection(Uids.CT_IMAGE_STORAGE, true, false))));
        byte[] pdu = PduCodec.encode(rq);
        assertThat(pdu[0]).isEqualTo((byte) PduType.ASSOCIATE_RQ);
        assertThat(PduCodec.decodeRequest(body(pdu))).isEqualTo(rq);
    }

    @Test
    void associateAcceptRoundTrips() throws Exception {
        AssociateAccept ac = new AssociateAccept("HARMONY", "CT1", Uids.APPLICATION_CONTEXT,
                List.of(new PresentationResult(1, 0, "1.2.840.10008.1.2.1"), new PresentationResult(3, 3, null)),
                new UserInfo(0, Uids.IMPLEMENTATION_CLASS, null, 0, 0, List.of()));
        AssociateAccept decoded = PduCodec.decodeAccept(body(PduCodec.encode(ac)));
        assertThat(decoded.results().get(0)).isEqualTo(ac.results().get(0));
        assertThat(decoded.results().get(1).accepted()).isFalse();
        assertThat(decoded.userInfo().maxPduLength()).isZero();
    }

    @Test
    void rejectAndAbortCarryTheirFields() throws Exception {
        assertThat(PduCodec.decodeReject(body(PduCodec.encode(AssociateReject.calledAeNotRecognized()))))
                .isEqualTo(new AssociateReject(1, 1, 7));
        assertThat(PduCodec.abort(2, 6)).containsExactly(7, 0, 0, 0, 0, 4, 0, 0, 2, 6);
    }

    @Test
    void itemLengthBeyondThePduIsAViolation() {
        byte[] body = body(PduCodec.encode(new AssociateRequest(1, "A", "B", Uids.APPLICATION_CONTEXT, List.of(),
                new UserInfo(0, "1.2", null, 0, 0, List.of()))));
        body[68 + 2] = 0x7F; // application context item length
        assertThatThrownBy(() -> PduCodec.decodeRequest(body)).isInstanceOfSatisfying(ProtocolViolation.class,
                v -> assertThat(v.abortReason()).isEqualTo(AbortReason.INVALID_PDU_PARAMETER_VALUE));
    }
}
