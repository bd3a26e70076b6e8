package dev.harmony.pipeline;

import dev.harmony.message.Protocol;
import java.util.Set;

/** What every part of a pipeline has in common: it can describe itself and say which protocols it serves. */
public interface Stage {

    /**
     * How this stage appears in diagrams, logs and metrics, e.g. {@code ("DICOM Listener", "Port 11112")}.
     * The detail comes from configuration and never contains secrets.
     */
    default Description describe() {
        String simple = getClass().getSimpleName();
        return new Description(simple.isEmpty() || simple.contains("$Lambda") ? "Custom stage" : simple, "");
    }

    /** The protocols this stage can work with; empty means any. Checked against the frontend at build time. */
    default Set<Protocol> protocols() {
        return Set.of();
    }

    /**
     * A stage's self-description.
     *
     * @param label what it is, e.g. {@code Auth Guard}
     * @param detail how it is configured, e.g. {@code OAuth2 / JWT (RS256)}; may be empty
     */
    record Description(String label, String detail) {
        public Description {
            if (label == null || label.isBlank()) {
                throw new IllegalArgumentException("a stage label must not be blank");
            }
            detail = detail == null ? "" : detail;
        }
    }
}
