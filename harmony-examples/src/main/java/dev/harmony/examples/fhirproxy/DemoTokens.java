package dev.harmony.examples.fhirproxy;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTCreator;
import com.auth0.jwt.algorithms.Algorithm;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/** A generated HS256 secret and a sample token for running the example without an identity provider. */
public final class DemoTokens {
    private DemoTokens() {
    }

    /** 32 random bytes, base64url: a fresh HS256 secret. */
    public static String newSecret() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /**
     * A token for subject {@code demo-user} of client {@code demo-portal} with scope {@code patient/*.read},
     * valid for {@code validity}; {@code issuer}/{@code audience} are set when not null.
     */
    public static String sample(String secret, String issuer, String audience, Duration validity) {
        Instant now = Instant.now();
        JWTCreator.Builder b = JWT.create()
                .withSubject("demo-user")
                .withClaim("client_id", "demo-portal")
                .withClaim("scope", "openid patient/*.read")
                .withIssuedAt(now)
                .withExpiresAt(now.plus(validity));
        if (issuer != null) {
            b.withIssuer(issuer);
        }
        if (audience != null) {
            b.withAudience(audience);
        }
        return b.sign(Algorithm.HMAC256(secret.getBytes(StandardCharsets.UTF_8)));
    }
}
