package dev.harmony.http;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.function.Consumer;

/** Keys and signed tokens for tests. */
public final class TestTokens {
    public static final String SECRET = "0123456789abcdef0123456789abcdef-test-secret";
    public static final String ISSUER = "https://idp.test/";
    public static final String AUDIENCE = "fhir-proxy";

    private TestTokens() {
    }

    public static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair ec256() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static Algorithm hs256() {
        return Algorithm.HMAC256(SECRET);
    }

    public static Algorithm rs256(KeyPair k) {
        return Algorithm.RSA256((RSAPublicKey) k.getPublic(), (RSAPrivateKey) k.getPrivate());
    }

    public static Algorithm es256(KeyPair k) {
        return Algorithm.ECDSA256((ECPublicKey) k.getPublic(), (ECPrivateKey) k.getPrivate());
    }

    /** A token valid for an hour with the test issuer and audience, subject {@code alice}; {@code extra} adjusts it. */
    public static String sign(Algorithm alg, Consumer<JWTCreator.Builder> extra) {
        Instant now = Instant.now();
        JWTCreator.Builder b = JWT.create()
                .withIssuer(ISSUER)
                .withAudience(AUDIENCE)
                .withSubject("alice")
                .withIssuedAt(now)
                .withExpiresAt(now.plus(Duration.ofHours(1)))
                .withClaim("scope", "openid patient/*.read")
                .withClaim("client_id", "portal");
        extra.accept(b);
        return b.sign(alg);
    }

    public static String sign(Algorithm alg) {
        return sign(alg, b -> { });
    }

    public static String pem(PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes())
                .encodeToString(key.getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }

    /** A JWK (public) for an RSA key. */
    public static String rsaJwk(String kid, RSAPublicKey key) {
        return "{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"" + kid + "\",\"n\":\""
                + b64(key.getModulus()) + "\",\"e\":\"" + b64(key.getPublicExponent()) + "\"}";
    }

    /** A JWK (public) for a P-256 key. */
    public static String ecJwk(String kid, ECPublicKey key) {
        return "{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"" + kid + "\",\"x\":\"" + b64(key.getW().getAffineX(), 32)
                + "\",\"y\":\"" + b64(key.getW().getAffineY(), 32) + "\"}";
    }

    private static String b64(BigInteger i) {
        byte[] bytes = i.toByteArray();
        if (bytes[0] == 0 && bytes.length > 1) {
            bytes = java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String b64(BigInteger i, int length) {
        byte[] raw = i.toByteArray();
        byte[] out = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    }
}
