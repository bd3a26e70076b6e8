package dev.harmony.dicom.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.harmony.dicom.DicomAttributes;
import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.DimseStatus;
import dev.harmony.dicom.Uids;
import dev.harmony.dicom.query.Dataset;
import dev.harmony.dicom.query.DicomQuery;
import dev.harmony.dicom.query.QueryKeys;
import dev.harmony.dicom.query.QueryLevel;
import dev.harmony.dicom.query.QueryModel;
import dev.harmony.dicom.scu.DicomClient;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.pipeline.Rejection.Kind;
import dev.harmony.pipeline.Rejection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every rejection kind, for each of C-FIND, C-MOVE and C-GET, on the wire: a backend rejects with the
 * kind the query names (its Patient ID), and our SCU reads the status the listener answered. The
 * expected table is written out here from PS3.4 C.4.1.1.4, C.4.2.1.5 and C.4.3.1.4, not computed.
 */
class RejectionStatusTest {
    /** kind -> {C-FIND, C-MOVE, C-GET} status. */
    private static final Map<Kind, int[]> EXPECTED = new EnumMap<>(Kind.class);

    static {
        EXPECTED.put(Kind.UNAUTHENTICATED, new int[] {0x0124, 0x0124, 0x0124});
        EXPECTED.put(Kind.FORBIDDEN, new int[] {0x0124, 0x0124, 0x0124});
        EXPECTED.put(Kind.MALFORMED, new int[] {0xC000, 0xC000, 0xC000});
        EXPECTED.put(Kind.INVALID, new int[] {0xA900, 0xA900, 0xA900});
        EXPECTED.put(Kind.UNSUPPORTED, new int[] {0x0122, 0x0122, 0x0122});
        EXPECTED.put(Kind.METHOD_NOT_ALLOWED, new int[] {0x0211, 0x0211, 0x0211});
        EXPECTED.put(Kind.NOT_IMPLEMENTED, new int[] {0x0211, 0x0211, 0x0211});
        EXPECTED.put(Kind.CONFLICT, new int[] {0xC000, 0xC000, 0xC000});
        EXPECTED.put(Kind.NOT_FOUND, new int[] {0xC000, 0xA801, 0xC000});
        EXPECTED.put(Kind.PAYLOAD_TOO_LARGE, new int[] {0xA700, 0xA701, 0xA701});
        EXPECTED.put(Kind.URI_TOO_LONG, new int[] {0xA700, 0xA701, 0xA701});
        EXPECTED.put(Kind.HEADERS_TOO_LARGE, new int[] {0xA700, 0xA701, 0xA701});
        EXPECTED.put(Kind.TOO_MANY_REQUESTS, new int[] {0xA700, 0xA701, 0xA701});
        EXPECTED.put(Kind.UNAVAILABLE, new int[] {0xA700, 0xA701, 0xA701});
        EXPECTED.put(Kind.UPSTREAM_UNAVAILABLE, new int[] {0xA700, 0xA701, 0xA701});
        EXPECTED.put(Kind.UPSTREAM_TIMEOUT, new int[] {0xA700, 0xA701, 0xA701});
        EXPECTED.put(Kind.INTERNAL, new int[] {0xC000, 0xC000, 0xC000});
        EXPECTED.put(Kind.EXPECTATION_FAILED, new int[] {0xC000, 0xC000, 0xC000});
    }

    private static DicomQuery naming(Kind kind) {
        return DicomQuery.of(QueryModel.PATIENT_ROOT, QueryLevel.PATIENT, new Dataset().set(QueryKeys.PATIENT_ID, kind.name()));
    }

    @Test
    void theTableCoversEveryKind() {
        assertThat(EXPECTED.keySet()).containsExactlyInAnyOrder(Kind.values());
        for (Kind kind : Kind.values()) {
            int[] want = EXPECTED.get(kind);
            assertThat(new int[] {DimseStatus.of(kind, DimseStatus.Service.FIND), DimseStatus.of(kind, DimseStatus.Service.MOVE),
                    DimseStatus.of(kind, DimseStatus.Service.GET)}).as(kind.name()).isEqualTo(want);
        }
    }

    @Test
    void everyKindIsAnsweredWithItsOwnStatusByEachService() throws Exception {
        DicomScp scp = DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("HARMONY").build();
        try (Pipeline p = Pipeline.builder().name("rejecting").frontend(scp).backend(request -> {
            DicomQuery q = request.attribute(DicomAttributes.QUERY).orElse(null);
            if (q == null) {
                return Response.ok();
            }
            Kind kind = Kind.valueOf(q.identifier().string(QueryKeys.PATIENT_ID).orElseThrow());
            return Response.rejected(Rejection.of(kind, "rejected as " + kind));
        }).build()) {
            p.start();
            DicomNode harmony = DicomNode.of("HARMONY", "127.0.0.1", scp.localPort());
            DicomClient client = DicomClient.callingAe("SCU").build();
            for (Kind kind : Kind.values()) {
                int find = client.find(harmony, naming(kind), m -> true);
                int move = client.move(harmony, naming(kind), "ANYWHERE", o -> true).status();
                int get = client.get(harmony, naming(kind), List.of(Uids.CT_IMAGE_STORAGE), (c, i, t, d) -> { }).status();
                assertThat(new int[] {find, move, get}).as(kind.name()).isEqualTo(EXPECTED.get(kind));
            }
            assertThat(client.echo(harmony)).isZero();
        }
    }

    @Test
    void theFinalStatusOfSubOperationsFollowsTheirCounts() {
        assertThat(DimseStatus.ofSubOperations(5, 0, 0)).isEqualTo(0x0000);
        assertThat(DimseStatus.ofSubOperations(0, 0, 0)).isEqualTo(0x0000);
        assertThat(DimseStatus.ofSubOperations(4, 1, 0)).isEqualTo(0xB000);
        assertThat(DimseStatus.ofSubOperations(4, 0, 1)).isEqualTo(0xB000);
        assertThat(DimseStatus.ofSubOperations(0, 0, 3)).isEqualTo(0xB000); // all warnings: still a warning
        assertThat(DimseStatus.ofSubOperations(0, 5, 0)).isEqualTo(0xA702); // all failed
        assertThat(DimseStatus.ofSubOperations(0, 2, 1)).isEqualTo(0xB000);
    }
}
