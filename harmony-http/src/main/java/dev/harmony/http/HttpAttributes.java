package dev.harmony.http;

import dev.harmony.message.Attribute;
import java.net.InetSocketAddress;

/**
 * The typed request attributes the HTTP stages set, declared once. {@link Attribute#REMOTE_ADDRESS}
 * (the client after trusted-proxy resolution) and {@link Attribute#PRINCIPAL} (the verified JWT
 * subject) are set too.
 */
public final class HttpAttributes {
    /** {@code http} or {@code https}, as the ingress received the request. */
    public static final Attribute<String> SCHEME = Attribute.of("http.scheme", String.class);
    /** The {@code Host} header the client sent (host and optional port). */
    public static final Attribute<String> HOST = Attribute.of("http.host", String.class);
    /** The ingress path prefix the request came in under, e.g. {@code /fhir} (empty for the root). */
    public static final Attribute<String> PATH_PREFIX = Attribute.of("http.path-prefix", String.class);
    /** The TCP peer that connected to the ingress (a proxy, if one is in front). */
    public static final Attribute<InetSocketAddress> PEER_ADDRESS = Attribute.of("http.peer-address", InetSocketAddress.class);
    /** The verified JWT's {@code sub} claim. */
    public static final Attribute<String> JWT_SUBJECT = Attribute.of("jwt.subject", String.class);
    /** The verified JWT's {@code iss} claim. */
    public static final Attribute<String> JWT_ISSUER = Attribute.of("jwt.issuer", String.class);
    /** The OAuth2 client of the verified JWT ({@code client_id}, else {@code azp}, else {@code cid}). */
    public static final Attribute<String> CLIENT_ID = Attribute.of("jwt.client-id", String.class);
    /** The scopes the verified JWT grants ({@code scope} or {@code scp}). */
    public static final Attribute<Scopes> SCOPES = Attribute.of("jwt.scopes", Scopes.class);

    private HttpAttributes() {
    }
}
