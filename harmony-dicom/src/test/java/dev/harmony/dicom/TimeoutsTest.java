package dev.harmony.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.harmony.dicom.backend.DicomForward;
import dev.harmony.dicom.scu.DicomClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TimeoutsTest {
    private static final Duration TOO_LONG = Duration.ofDays(30); // beyond int milliseconds

    @Test
    void acceptsPositiveDurationsUpToIntMilliseconds() {
        assertThat(Timeouts.requirePositive(Duration.ofMillis(Integer.MAX_VALUE), "x")).hasMillis(Integer.MAX_VALUE);
        assertThatThrownBy(() -> Timeouts.requirePositive(null, "Stage.option")).hasMessageContaining("Stage.option");
        assertThatThrownBy(() -> Timeouts.requirePositive(Duration.ZERO, "Stage.option"))
                .hasMessageContaining("Stage.option");
        assertThatThrownBy(() -> Timeouts.requirePositive(TOO_LONG, "Stage.option"))
                .hasMessageContaining("Stage.option");
    }

    @Test
    void clientAndForwardRefuseTimeoutsSocketsCannotTake() {
        assertThatThrownBy(() -> DicomClient.callingAe("SCU").connectTimeout(TOO_LONG).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DicomClient.connectTimeout");
        assertThatThrownBy(() -> DicomClient.callingAe("SCU").responseTimeout(null).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DicomClient.responseTimeout");
        DicomNode pacs = DicomNode.parse("PACS@127.0.0.1:11112");
        assertThatThrownBy(() -> DicomForward.to(pacs).responseTimeout(TOO_LONG).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DicomForward.responseTimeout");
        assertThatThrownBy(() -> DicomForward.to(pacs).connectTimeout(null).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DicomForward.connectTimeout");
        assertThatThrownBy(() -> DicomForward.to(pacs).idleRelease(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DicomForward.idleRelease");
    }
}
