package dev.harmony.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.message.Response;
import dev.harmony.pipeline.Rejection.Kind;
import dev.harmony.pipeline.Rejection;
import org.junit.jupiter.api.Test;

class DimseStatusTest {
    private static int of(Kind kind) {
        return DimseStatus.of(Response.rejected(Rejection.of(kind, "x")));
    }

    @Test
    void everyRejectionKindHasItsStatus() {
        assertThat(DimseStatus.of(Response.ok())).isEqualTo(0x0000);
        assertThat(of(Kind.FORBIDDEN)).isEqualTo(0x0124);
        assertThat(of(Kind.UNAUTHENTICATED)).isEqualTo(0x0124);
        assertThat(of(Kind.MALFORMED)).isEqualTo(0xC000);
        assertThat(of(Kind.INVALID)).isEqualTo(0xA900);
        assertThat(of(Kind.UNSUPPORTED)).isEqualTo(0x0122);
        assertThat(of(Kind.CONFLICT)).isEqualTo(0x0111);
        assertThat(of(Kind.PAYLOAD_TOO_LARGE)).isEqualTo(0xA700);
        assertThat(of(Kind.TOO_MANY_REQUESTS)).isEqualTo(0xA700);
        assertThat(of(Kind.UNAVAILABLE)).isEqualTo(0xA700);
        assertThat(of(Kind.INTERNAL)).isEqualTo(0x0110);
        assertThat(of(Kind.UPSTREAM_UNAVAILABLE)).isEqualTo(0x0110);
        assertThat(of(Kind.UPSTREAM_TIMEOUT)).isEqualTo(0x0110);
        assertThat(of(Kind.METHOD_NOT_ALLOWED)).isEqualTo(0x0211);
        assertThat(of(Kind.NOT_IMPLEMENTED)).isEqualTo(0x0211);
        assertThat(of(Kind.HEADERS_TOO_LARGE)).isEqualTo(0xA700);
        assertThat(DimseStatus.of(Response.of(413))).isEqualTo(0xA700);
        assertThat(DimseStatus.of(Response.of(500))).isEqualTo(0x0110);
    }

    @Test
    void aPeersFailureStatusMapsToTheKindAQueueClassifies() {
        // retryable: out of resources, processing failure, unknown failures
        assertThat(DimseStatus.kindOf(0xA700)).isEqualTo(Kind.UPSTREAM_UNAVAILABLE);
        assertThat(DimseStatus.kindOf(0xA7FF)).isEqualTo(Kind.UPSTREAM_UNAVAILABLE);
        assertThat(DimseStatus.kindOf(0x0110)).isEqualTo(Kind.UPSTREAM_UNAVAILABLE);
        assertThat(DimseStatus.kindOf(0x01FF)).isEqualTo(Kind.UPSTREAM_UNAVAILABLE);
        // permanent: the object or the configuration
        assertThat(DimseStatus.kindOf(0xA900)).isEqualTo(Kind.INVALID);
        assertThat(DimseStatus.kindOf(0xA9FF)).isEqualTo(Kind.INVALID);
        assertThat(DimseStatus.kindOf(0xC000)).isEqualTo(Kind.MALFORMED);
        assertThat(DimseStatus.kindOf(0xCFFF)).isEqualTo(Kind.MALFORMED);
        assertThat(DimseStatus.kindOf(0x0122)).isEqualTo(Kind.UNSUPPORTED);
        assertThat(DimseStatus.kindOf(0x0118)).isEqualTo(Kind.UNSUPPORTED);
        assertThat(DimseStatus.kindOf(0x0211)).isEqualTo(Kind.UNSUPPORTED);
        assertThat(DimseStatus.kindOf(0x0124)).isEqualTo(Kind.FORBIDDEN);
        assertThat(DimseStatus.kindOf(0x0111)).isEqualTo(Kind.CONFLICT);
        assertThat(DimseStatus.kindOf(0x0117)).isEqualTo(Kind.INVALID);
    }

    @Test
    void anExplicitStatusWins() {
        Response fromPacs = Response.rejected(Rejection.upstreamUnavailable("PACS said no"))
                .with(DicomAttributes.DIMSE_STATUS, 0xA701);
        assertThat(DimseStatus.of(fromPacs)).isEqualTo(0xA701);
        assertThat(DimseStatus.isSuccessOrWarning(0xB000)).isTrue();
        assertThat(DimseStatus.isSuccessOrWarning(0xA701)).isFalse();
    }
}
