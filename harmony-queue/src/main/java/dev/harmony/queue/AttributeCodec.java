package dev.harmony.queue;

import dev.harmony.message.Attribute;
import dev.harmony.message.Request;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.function.Function;

/**
 * How one request attribute is written to the queue and read back, as text. A queue persists only the
 * attributes it has a codec for (see {@link DeliveryQueue} for the default set); others are dropped,
 * because attribute keys compare by identity and a restarted process can only restore keys it knows.
 *
 * <pre>{@code
 * AttributeCodec.of(MY_TENANT, Tenant::id, Tenant::byId)
 * }</pre>
 *
 * @param <T> the attribute's value type
 */
public final class AttributeCodec<T> {
    private final Attribute<T> key;
    private final Function<? super T, String> encoder;
    private final Function<String, ? extends T> decoder;

    private AttributeCodec(Attribute<T> key, Function<? super T, String> encoder, Function<String, ? extends T> decoder) {
        this.key = Objects.requireNonNull(key, "key");
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        this.decoder = Objects.requireNonNull(decoder, "decoder");
    }

    /** A codec from an encoder and a decoder (which may throw on text it cannot read). */
    public static <T> AttributeCodec<T> of(Attribute<T> key, Function<? super T, String> encoder,
            Function<String, ? extends T> decoder) {
        return new AttributeCodec<>(key, encoder, decoder);
    }

    /** A string attribute, stored as it is. */
    public static AttributeCodec<String> string(Attribute<String> key) {
        return of(key, s -> s, s -> s);
    }

    /** An integer attribute, stored in decimal. */
    public static AttributeCodec<Integer> integer(Attribute<Integer> key) {
        return of(key, String::valueOf, Integer::valueOf);
    }

    /** A socket address, stored as {@code host|port}; an IP literal is restored without a DNS lookup. */
    public static AttributeCodec<InetSocketAddress> socketAddress(Attribute<InetSocketAddress> key) {
        return of(key, a -> a.getHostString() + "|" + a.getPort(), AttributeCodec::parseAddress);
    }

    public Attribute<T> key() {
        return key;
    }

    String encode(Object value) {
        return encoder.apply(key.type().cast(value));
    }

    Request decodeInto(Request request, String text) {
        T value = decoder.apply(text);
        return value == null ? request : request.with(key, value);
    }

    private static InetSocketAddress parseAddress(String text) {
        int bar = text.lastIndexOf('|');
        String host = text.substring(0, bar);
        int port = Integer.parseInt(text.substring(bar + 1));
        if (host.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
            try {
                return new InetSocketAddress(InetAddress.getByName(host), port); // a literal: no lookup
            } catch (UnknownHostException e) {
                return InetSocketAddress.createUnresolved(host, port);
            }
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    @Override
    public String toString() {
        return "AttributeCodec[" + key + "]";
    }
}
