package dev.harmony.http.middleware;

import com.auth0.jwt.algorithms.Algorithm;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Set;

/** Public-key plumbing: PEM and JWK parsing, and which JWS algorithms a key may verify. */
final class PublicKeys {
    static final Set<String> RSA_ALGORITHMS = Set.of("RS256", "RS384", "RS512");
    static final Set<String> HMAC_ALGORITHMS = Set.of("HS256", "HS384", "HS512");

    private PublicKeys() {
    }

    /** A {@code -----BEGIN PUBLIC KEY-----} (X.509 SubjectPublicKeyInfo) or a certificate, RSA or EC. */
    static PublicKey fromPem(String pem) {
        try {
            if (pem.contains("-----BEGIN CERTIFICATE-----")) {
                return CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
                        .getPublicKey();
            }
            String begin = "-----BEGIN PUBLIC KEY-----";
            int start = pem.indexOf(begin);
            int end = pem.indexOf("-----END PUBLIC KEY-----");
            if (start < 0 || end < 0) {
                throw new IllegalArgumentException("JwtAuth.publicKeyPem: expected -----BEGIN PUBLIC KEY----- or a certificate");
            }
            byte[] der = Base64.getMimeDecoder().decode(pem.substring(start + begin.length(), end));
            X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
            for (String type : new String[] {"RSA", "EC"}) {
                try {
                    return KeyFactory.getInstance(type).generatePublic(spec);
                } catch (GeneralSecurityException tryNext) {
                    // not this key type
                }
            }
            throw new IllegalArgumentException("JwtAuth.publicKeyPem: the key is neither RSA nor EC");
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("JwtAuth.publicKeyPem: cannot read the key: " + e.getMessage(), e);
        }
    }

    /** The algorithms {@code key} can verify: RS* for RSA, ES256 for P-256, ES384 for P-384. */
    static Set<String> algorithmsFor(PublicKey key) {
        if (key instanceof RSAPublicKey) {
            return RSA_ALGORITHMS;
        }
        if (key instanceof ECPublicKey ec) {
            return switch (ec.getParams().getCurve().getField().getFieldSize()) {
                case 256 -> Set.of("ES256");
                case 384 -> Set.of("ES384");
                default -> Set.of();
            };
        }
        return Set.of();
    }

    /** The verifying algorithm for {@code alg} with {@code key}, or null if they do not fit together. */
    static Algorithm algorithm(String alg, PublicKey key) {
        if (!algorithmsFor(key).contains(alg)) {
            return null;
        }
        return switch (alg) {
            case "RS256" -> Algorithm.RSA256((RSAPublicKey) key, null);
            case "RS384" -> Algorithm.RSA384((RSAPublicKey) key, null);
            case "RS512" -> Algorithm.RSA512((RSAPublicKey) key, null);
            case "ES256" -> Algorithm.ECDSA256((ECPublicKey) key, null);
            case "ES384" -> Algorithm.ECDSA384((ECPublicKey) key, null);
            default -> null;
        };
    }

    static Algorithm hmac(String alg, byte[] secret) {
        return switch (alg) {
            case "HS256" -> Algorithm.HMAC256(secret);
            case "HS384" -> Algorithm.HMAC384(secret);
            case "HS512" -> Algorithm.HMAC512(secret);
            default -> throw new IllegalArgumentException("not an HMAC algorithm: " + alg);
        };
    }

    /** An RSA key from JWK members {@code n} and {@code e}. */
    static PublicKey rsa(String n, String e) throws GeneralSecurityException {
        return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(unsigned(n), unsigned(e)));
    }

    /** An EC key from JWK members {@code crv} ({@code P-256} or {@code P-384}), {@code x} and {@code y}. */
    static PublicKey ec(String crv, String x, String y) throws GeneralSecurityException {
        String curve = switch (crv) {
            case "P-256" -> "secp256r1";
            case "P-384" -> "secp384r1";
            default -> throw new GeneralSecurityException("unsupported curve " + crv);
        };
        AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
        params.init(new ECGenParameterSpec(curve));
        ECParameterSpec spec = params.getParameterSpec(ECParameterSpec.class);
        return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(unsigned(x), unsigned(y)), spec));
    }

    private static BigInteger unsigned(String base64Url) {
        return new BigInteger(1, Base64.getUrlDecoder().decode(base64Url));
    }
}
