package dev.harmony.message;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A typed key for a value attached to a request or response, such as the caller's address or the
 * verified JWT subject. Keys compare by identity: declare each one once as a constant.
 *
 * @param <T> the value type
 */
public final class Attribute<T> {
    /** The network peer that sent the request (after trusted-proxy resolution, where a frontend does that). */
    public static final Attribute<InetSocketAddress> REMOTE_ADDRESS = of("remote.address", InetSocketAddress.class);
    /** The authenticated principal, e.g. a JWT subject or a DICOM calling AE title. */
    public static final Attribute<String> PRINCIPAL = of("principal", String.class);
    /** The id every log line and event of one exchange carries. Set by the pipeline. */
    public static final Attribute<String> EXCHANGE_ID = of("exchange.id", String.class);
    /** The name of the pipeline running the exchange (the innermost one, if pipelines nest). Set by the pipeline. */
    public static final Attribute<String> PIPELINE = of("pipeline", String.class);

    private final String name;
    private final Class<T> type;

    private Attribute(String name, Class<T> type) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = Objects.requireNonNull(type, "type");
    }

    /** Declares a new key. */
    public static <T> Attribute<T> of(String name, Class<T> type) {
        return new Attribute<>(name, type);
    }

    public String name() {
        return name;
    }

    public Class<T> type() {
        return type;
    }

    T cast(Object value) {
        return type.cast(value);
    }

    @Override
    public String toString() {
        return name;
    }
}
