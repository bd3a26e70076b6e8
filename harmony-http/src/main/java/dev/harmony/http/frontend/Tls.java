package dev.harmony.http.frontend;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The server certificate for an HTTPS ingress, from a key store (PKCS#12 or JKS) or from PEM files.
 * Loaded when created, so a wrong path or password fails at configuration time, not on the first
 * connection. The password is never part of a description.
 */
public final class Tls {
    private final SSLContext context;
    private final String source;

    private Tls(SSLContext context, String source) {
        this.context = context;
        this.source = source;
    }

    /**
     * From a key store file holding one private key entry.
     *
     * @param type {@code PKCS12} or {@code JKS}
     */
    public static Tls keyStore(Path file, char[] password, String type) {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore ks = KeyStore.getInstance(type);
            ks.load(in, password);
            return new Tls(context(ks, password), "key store " + file.getFileName());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("Tls.keyStore: cannot load " + file + ": " + e.getMessage(), e);
        }
    }

    /** From a PKCS#12 key store. */
    public static Tls keyStore(Path file, char[] password) {
        return keyStore(file, password, "PKCS12");
    }

    /**
     * From PEM files: the certificate chain (leaf first) and an unencrypted PKCS#8 private key
     * ({@code -----BEGIN PRIVATE KEY-----}, RSA or EC). Convert other key formats with
     * {@code openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem}.
     */
    public static Tls pem(Path certificateChain, Path privateKey) {
        try {
            Collection<? extends Certificate> chain;
            try (InputStream in = Files.newInputStream(certificateChain)) {
                chain = CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("no certificate in " + certificateChain);
            }
            PrivateKey key = pkcs8(Files.readString(privateKey, StandardCharsets.US_ASCII), privateKey);
            char[] password = new char[0];
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", key, password, chain.toArray(new Certificate[0]));
            return new Tls(context(ks, password), "PEM " + certificateChain.getFileName());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("Tls.pem: cannot load " + certificateChain + " / " + privateKey + ": "
                    + e.getMessage(), e);
        }
    }

    SSLContext sslContext() {
        return context;
    }

    /** Where the certificate came from, for descriptions (never the password). */
    public String source() {
        return source;
    }

    private static PrivateKey pkcs8(String pem, Path file) throws GeneralSecurityException {
        String begin = "-----BEGIN PRIVATE KEY-----";
        int start = pem.indexOf(begin);
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (start < 0 || end < 0) {
            throw new IllegalArgumentException(file + " holds no unencrypted PKCS#8 key (-----BEGIN PRIVATE KEY-----);"
                    + " convert it with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(start + begin.length(), end));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException tryNext) {
                // not this algorithm
            }
        }
        throw new GeneralSecurityException(file + ": the private key is neither RSA nor EC");
    }

    private static SSLContext context(KeyStore ks, char[] password) throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    @Override
    public String toString() {
        return "Tls[" + source + "]";
    }
}
