package dev.harmony.queue;

import java.time.Instant;
import java.util.List;

/**
 * What the operations API tells about one message.
 *
 * @param id the message id (also on the accept answer: header {@value DeliveryQueue#MESSAGE_ID_HEADER})
 * @param destination the destination it is queued for
 * @param state where it is
 * @param createdAt when it was accepted
 * @param attempts delivery attempts started so far (reset by a replay)
 * @param nextAttemptAt when it is due next (meaningful while pending)
 * @param bytes the payload size
 * @param summary protocol, operation and target, plus the SOP Instance UID for DICOM
 * @param history what happened to it, oldest first (long histories keep the first and the latest events)
 */
public record MessageInfo(String id, String destination, MessageState state, Instant createdAt, int attempts,
        Instant nextAttemptAt, long bytes, String summary, List<MessageEvent> history) {

    public MessageInfo {
        history = List.copyOf(history);
    }

    /** The detail of the latest failure, or empty. */
    public String lastError() {
        for (int i = history.size() - 1; i >= 0; i--) {
            MessageEvent e = history.get(i);
            if (e.type() == MessageEvent.Type.FAILED || e.type() == MessageEvent.Type.DEAD) {
                return e.detail();
            }
        }
        return "";
    }
}
