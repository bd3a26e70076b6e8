package dev.harmony.dicom.backend;

import static dev.harmony.dicom.query.QueryCorpus.S1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.harmony.dicom.CancelTap;
import dev.harmony.dicom.DcmQrScp;
import dev.harmony.dicom.DicomNode;
import dev.harmony.dicom.TransferSyntax;
import dev.harmony.dicom.Uids;
import dev.harmony.dicom.frontend.DicomScp;
import dev.harmony.dicom.internal.dimse.Command;
import dev.harmony.dicom.internal.dimse.CommandField;
import dev.harmony.dicom.internal.dimse.MessageReader;
import dev.harmony.dicom.internal.net.PDataWriter;
import dev.harmony.dicom.query.Dataset;
import dev.harmony.dicom.query.DicomQuery;
import dev.harmony.dicom.query.QueryCorpus;
import dev.harmony.dicom.query.QueryKeys;
import dev.harmony.dicom.query.QueryLevel;
import dev.harmony.dicom.query.QueryModel;
import dev.harmony.dicom.query.RetrieveOutcome;
import dev.harmony.dicom.scu.DicomClient;
import dev.harmony.dicom.scu.DimseStatusException;
import dev.harmony.dicom.scu.InstanceSink;
import dev.harmony.dicom.scu.ScuAssociation;
import dev.harmony.pipeline.Pipeline;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relayed C-GET against hostile peers. A raw-socket PACS that aborts after a Pending response or
 * in the middle of a data set, never answers, refuses the C-GET, or gets a refusal from the modality;
 * and, with dcmqrscp behind a {@link CancelTap}, a modality that cancels, aborts, or never answers a
 * C-STORE. Each ends in a protocol-correct final status or an A-ABORT, and the listener serves the
 * next association.
 */
class PacsProxyGetHostileTest {
    private static final DicomQuery STUDY = DicomQuery.of(QueryModel.STUDY_ROOT, QueryLevel.STUDY,
            new Dataset().set(QueryKeys.STUDY_INSTANCE_UID, S1));
    private static final String EXPLICIT = TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN.uid();
    private final DicomClient client = DicomClient.callingAe("MODALITY").build();

    @TempDir
    Path tmp;

    /** The context the proxy proposed for the modality's CT in explicit VR (the PACS accepted it). */
    private static int ct(RawPacs.Peer peer) {
        return peer.contextFor(Uids.CT_IMAGE_STORAGE, EXPLICIT);
    }

    /** A C-STORE sub-operation of a small CT data set; returns the status the proxy answered. */
    private static int store(RawPacs.Peer peer, int messageId, String sopInstance) throws IOException {
        peer.command(ct(peer), Command.request(CommandField.C_STORE_RQ, messageId, Uids.CT_IMAGE_STORAGE, true)
                .setUs(Command.PRIORITY, 0).setUid(Command.AFFECTED_SOP_INSTANCE_UID, sopInstance));
        PDataWriter.sendAll(peer.out(), new Object(), 1 << 20, ct(peer), false, dataset(sopInstance));
        MessageReader.Event e = peer.messages().next();
        Command rsp = ((MessageReader.Message) e).command();
        assertThat(rsp.commandField()).isEqualTo(CommandField.C_STORE_RSP);
        return rsp.status();
    }

    /** The start of a C-STORE sub-operation: the command and a first, not last, fragment of the data set. */
    private static void halfAStore(RawPacs.Peer peer, int messageId, String sopInstance) throws IOException {
        peer.command(ct(peer), Command.request(CommandField.C_STORE_RQ, messageId, Uids.CT_IMAGE_STORAGE, true)
                .setUs(Command.PRIORITY, 0).setUid(Command.AFFECTED_SOP_INSTANCE_UID, sopInstance));
        byte[] data = dataset(sopInstance);
        PDataWriter w = new PDataWriter(peer.out(), new Object(), 1 << 20, ct(peer), false);
        w.write(data, 0, data.length / 2);
        w.flush();
    }

    private static byte[] dataset(String sopInstance) {
        return new Dataset().set(QueryKeys.SOP_CLASS_UID, Uids.CT_IMAGE_STORAGE).set(QueryKeys.SOP_INSTANCE_UID, sopInstance)
                .set(QueryKeys.STUDY_INSTANCE_UID, S1).encode(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
    }

    /** The modality's C-GET (CT in explicit VR) through a proxy to a raw PACS playing {@code script}. */
    private RetrieveOutcome getThrough(RawPacs.Script script, InstanceSink sink, List<String> seen) throws Exception {
        try (RawPacs pacs = new RawPacs(CommandField.C_GET_RQ, peer -> {
            assertThat(ct(peer)).as("the proxy proposes the modality's CT context").isPositive();
            return script.run(peer);
        })) {
            Pipeline p = Pipeline.builder().name("proxy")
                    .frontend(DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("HARMONY").build())
                    .backend(PacsProxy.to(pacs.node())
                            .responseTimeout(Duration.ofSeconds(1)).build())
                    .build();
            p.start();
            try (p) {
                DicomNode harmony = DicomNode.of("HARMONY", "127.0.0.1", ((DicomScp) p.frontend()).localPort());
                RetrieveOutcome end;
                try {
                    end = client.get(harmony, STUDY, Map.of(Uids.CT_IMAGE_STORAGE,
                            List.of(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN)), sink, o -> true);
                } catch (IOException e) {
                    end = null; // the modality's association was aborted
                }
                seen.add(pacs.played());
                assertThat(client.echo(harmony)).as("the listener still serves").isZero();
                return end;
            }
        }
    }

    private static InstanceSink collect(List<String> into) {
        return (sopClass, sopInstance, ts, dataset) -> {
            dataset.readAllBytes();
            into.add(sopInstance);
        };
    }

    private static List<Object> counts(RetrieveOutcome o) {
        return List.of(o.status(), o.remaining(), o.completed(), o.failed(), o.warning());
    }

    @Test
    void aPacsThatAbortsAfterAPendingGivesB000WithWhatArrivedAndTheRestFailed() throws Exception {
        List<String> seen = new ArrayList<>();
        List<String> got = new ArrayList<>();
        RetrieveOutcome end = getThrough(peer -> {
            int status = store(peer, 1, "1.2.3.1");
            peer.pending(2, 1);
            peer.abort();
            return "stored " + Integer.toHexString(status) + ", aborted";
        }, collect(got), seen);
        assertThat(seen).containsExactly("stored 0, aborted");
        assertThat(got).containsExactly("1.2.3.1");
        assertThat(counts(end)).isEqualTo(List.of(0xB000, -1, 1, 2, 0));
    }

    /** Half a data set went on to the modality when the PACS aborted: the modality's association cannot go on. */
    @Test
    void aPacsThatAbortsInTheMiddleOfADataSetGetsTheModalityAborted() throws Exception {
        List<String> seen = new ArrayList<>();
        List<String> got = new ArrayList<>();
        RetrieveOutcome end = getThrough(peer -> {
            int status = store(peer, 1, "1.2.3.1");
            halfAStore(peer, 2, "1.2.3.2");
            peer.abort();
            return "stored " + Integer.toHexString(status) + ", aborted mid data set";
        }, collect(got), seen);
        assertThat(seen).containsExactly("stored 0, aborted mid data set");
        assertThat(got).containsExactly("1.2.3.1");
        assertThat(end).as("the modality was aborted").isNull();
    }

    @Test
    void aPacsThatNeverAnswersIsA701AfterTheResponseTimeout() throws Exception {
        List<String> seen = new ArrayList<>();
        RetrieveOutcome end = getThrough(RawPacs.Peer::next, collect(new ArrayList<>()), seen);
        assertThat(seen).containsExactly("A-ABORT");
        assertThat(counts(end)).isEqualTo(List.of(0xA701, -1, -1, -1, -1));
    }

    @Test
    void aPacsThatRefusesTheGetHasItsStatusRelayed() throws Exception {
        List<String> seen = new ArrayList<>();
        RetrieveOutcome end = getThrough(peer -> {
            peer.command(Command.responseTo(peer.request(), 0xA900));
            return peer.next();
        }, collect(new ArrayList<>()), seen);
        assertThat(seen).containsExactly("release");
        assertThat(end.status()).isEqualTo(0xA900);
        assertThat(end.completed()).isZero();
    }

    /** The modality refuses the first instance (A700): the PACS is answered A700, the second still goes through. */
    @Test
    void aRefusalOfTheModalityIsAnsweredToThePacsAndTheRestContinues() throws Exception {
        List<String> seen = new ArrayList<>();
        List<String> got = new ArrayList<>();
        RetrieveOutcome end = getThrough(peer -> {
            int first = store(peer, 1, "1.2.3.1");
            peer.pending(1, 0);
            int second = store(peer, 2, "1.2.3.2");
            peer.command(Command.responseTo(peer.request(), 0xB000)
                    .setUs(Command.NUMBER_OF_COMPLETED_SUBOPERATIONS, 1).setUs(Command.NUMBER_OF_FAILED_SUBOPERATIONS, 1)
                    .setUs(Command.NUMBER_OF_WARNING_SUBOPERATIONS, 0));
            return Integer.toHexString(first) + " " + Integer.toHexString(second) + " " + peer.next();
        }, (sopClass, sopInstance, ts, dataset) -> {
            if (sopInstance.equals("1.2.3.1")) {
                throw new DimseStatusException("full", 0xA700);
            }
            got.add(sopInstance);
        }, seen);
        assertThat(seen).containsExactly("a700 0 release");
        assertThat(got).containsExactly("1.2.3.2");
        assertThat(counts(end)).isEqualTo(List.of(0xB000, -1, 1, 1, 0));
    }

    // --- hostile modalities, dcmqrscp as the PACS (behind a tap that sees the relayed C-CANCEL) ---

    private static Pipeline proxy(int pacsPort, Duration idleTimeout) {
        Pipeline p = Pipeline.builder().name("proxy")
                .frontend(DicomScp.port(0).bindAddress("127.0.0.1").aeTitle("HARMONY").idleTimeout(idleTimeout).build())
                .backend(PacsProxy.to(DicomNode.of("QRSCP", "127.0.0.1", pacsPort)).callingAe("HARMONY").build())
                .build();
        p.start();
        return p;
    }

    private static DicomNode harmony(Pipeline p) {
        return DicomNode.of("HARMONY", "127.0.0.1", ((DicomScp) p.frontend()).localPort());
    }

    /**
     * The modality sends C-CANCEL while the second instance's sub-operation is open and holds its answer
     * until the relayed cancel has passed to dcmqrscp, so dcmqrscp sees it before a third sub-operation.
     * (Pending responses are relayed as they come, so one may reach the modality after the next
     * sub-operation began: the cancel is sent from the sub-operation, not from a Pending response.)
     */
    @Test
    void aCancelFromTheModalityIsRelayedToThePacs() throws Exception {
        List<Path> corpus = QueryCorpus.write(tmp.resolve("corpus"));
        try (DcmQrScp pacs = DcmQrScp.start(tmp, "QRSCP", corpus);
                CancelTap tap = new CancelTap("127.0.0.1", pacs.port());
                Pipeline p = proxy(tap.port(), Duration.ofSeconds(60))) {
            ScuAssociation modality = client.openGet(harmony(p), QueryModel.STUDY_ROOT,
                    Map.of(Uids.CT_IMAGE_STORAGE, List.of(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN)));
            List<String> got = Collections.synchronizedList(new ArrayList<>());
            InstanceSink holding = (sopClass, sopInstance, ts, dataset) -> {
                dataset.readAllBytes();
                got.add(sopInstance);
                if (got.size() == 2) {
                    modality.cancel();
                    try {
                        assertThat(tap.awaitCancel(30)).as("the cancel reached the PACS").isTrue();
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                }
            };
            RetrieveOutcome end;
            try (modality) {
                end = modality.get(STUDY, holding);
            }
            assertThat(tap.cancelSeen()).isTrue();
            assertThat(end.status()).as(end.toString()).isEqualTo(0xFE00);
            assertThat(end.completed()).isEqualTo(2);
            assertThat(end.failed()).isZero();
            assertThat(got).hasSize(2);

            List<String> next = new ArrayList<>();
            assertThat(client.get(harmony(p), STUDY, List.of(Uids.CT_IMAGE_STORAGE), collect(next), o -> true).status())
                    .isZero();
            assertThat(next).hasSize(5);
        }
    }

    @Test
    void aModalityThatAbortsMidGetHasThePacsGetCancelled() throws Exception {
        List<Path> corpus = QueryCorpus.write(tmp.resolve("corpus"));
        try (DcmQrScp pacs = DcmQrScp.start(tmp, "QRSCP", corpus);
                CancelTap tap = new CancelTap("127.0.0.1", pacs.port());
                Pipeline p = proxy(tap.port(), Duration.ofSeconds(60))) {
            ScuAssociation modality = client.openGet(harmony(p), QueryModel.STUDY_ROOT,
                    Map.of(Uids.CT_IMAGE_STORAGE, List.of(TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN)));
            assertThatThrownBy(() -> modality.get(STUDY, (sopClass, sopInstance, ts, dataset) -> modality.abort()))
                    .isInstanceOf(IOException.class);
            assertThat(tap.awaitCancel(30)).as("the PACS's C-GET cancelled").isTrue();

            List<String> next = new ArrayList<>();
            assertThat(client.get(harmony(p), STUDY, List.of(Uids.CT_IMAGE_STORAGE), collect(next), o -> true).status())
                    .isZero();
            assertThat(next).hasSize(5);
        }
    }

    /** The modality holds its C-STORE-RSP: after the idle timeout (1 s) the proxy aborts it and cancels at the PACS. */
    @Test
    void aModalityThatNeverAnswersACStoreIsAbortedAfterTheIdleTimeout() throws Exception {
        List<Path> corpus = QueryCorpus.write(tmp.resolve("corpus"));
        try (DcmQrScp pacs = DcmQrScp.start(tmp, "QRSCP", corpus);
                CancelTap tap = new CancelTap("127.0.0.1", pacs.port());
                Pipeline p = proxy(tap.port(), Duration.ofSeconds(1))) {
            InstanceSink silent = (sopClass, sopInstance, ts, dataset) -> {
                try {
                    tap.awaitCancel(30); // answers only once the proxy has given up on us
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            };
            assertThatThrownBy(() -> client.get(harmony(p), STUDY, List.of(Uids.CT_IMAGE_STORAGE), silent, o -> true))
                    .isInstanceOf(IOException.class);
            assertThat(tap.cancelSeen()).as("the PACS's C-GET cancelled").isTrue();

            List<String> next = new ArrayList<>();
            assertThat(client.get(harmony(p), STUDY, List.of(Uids.CT_IMAGE_STORAGE), collect(next), o -> true).status())
                    .isZero();
            assertThat(next).hasSize(5);
        }
    }
}
