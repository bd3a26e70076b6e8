package dev.harmony.dicom.internal.dimse;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CommandTest {
    @Test
    void commandSetsRoundTrip() throws Exception {
        Command rq = Command.request(CommandField.C_STORE_RQ, 7, "1.2.840.10008.5.1.4.1.1.2", true)
                .setUid(Command.AFFECTED_SOP_INSTANCE_UID, "1.2.3");
        Command decoded = Command.decode(rq.encode());
        assertThat(decoded.commandField()).isEqualTo(CommandField.C_STORE_RQ);
        assertThat(decoded.messageId()).isEqualTo(7);
        assertThat(decoded.hasDataSet()).isTrue();
        assertThat(decoded.string(Command.AFFECTED_SOP_INSTANCE_UID)).contains("1.2.3");
        Command rsp = Command.decode(Command.responseTo(decoded, 0x0111).setText(Command.ERROR_COMMENT, "dup\\x", 64).encode());
        assertThat(rsp.commandField()).isEqualTo(CommandField.C_STORE_RSP);
        assertThat(rsp.status()).isEqualTo(0x0111);
        assertThat(rsp.hasDataSet()).isFalse();
        assertThat(rsp.us(Command.MESSAGE_ID_BEING_RESPONDED_TO)).hasValue(7);
        assertThat(rsp.string(Command.ERROR_COMMENT)).contains("dup/x");
    }
}
