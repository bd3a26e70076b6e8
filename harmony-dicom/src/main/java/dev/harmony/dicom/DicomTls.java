package dev.harmony.dicom;

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
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS settings for DICOM (PS3.15 annex B secure transport connection profiles): an {@link SSLContext}
 * with our certificate and the certificates we trust, restricted to TLS 1.3 and 1.2. Build it from a
 * key store or from PEM files, or pass any {@code SSLContext}.
 *
 * <pre>{@code
 * DicomTls tls = DicomTls.fromPem(Path.of("harmony.crt"), Path.of("harmony.key"))
 *         .trusting(Path.of("modalities.crt"))     // whose client certificates we accept
 *         .requireClientCertificate(true);
 * DicomScp.port(2762).tls(tls).build();
 * DicomClient.callingAe("HARMONY").tls(DicomTls.trustingOnly(Path.of("pacs-ca.crt"))).build();
 * }</pre>
 *
 * <p>Immutable: each option returns a changed copy. A client verifies the server's certificate chain
 * against the trusted certificates and, unless turned off, that it names the host connected to.
 */
public final class DicomTls {
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private final KeyStore keys;
    private final char[] keyPassword;
    private final KeyStore trusted;
    private final SSLContext custom;
    private final boolean requireClientCertificate;
    private final boolean verifyHostname;

    private DicomTls(KeyStore keys, char[] keyPassword, KeyStore trusted, SSLContext custom,
            boolean requireClientCertificate, boolean verifyHostname) {
        this.keys = keys;
        this.keyPassword = keyPassword;
        this.trusted = trusted;
        this.custom = custom;
        this.requireClientCertificate = requireClientCertificate;
        this.verifyHostname = verifyHostname;
    }

    /** Our certificate chain and its private key from PEM files (unencrypted PKCS#8 key: RSA or EC). */
    public static DicomTls fromPem(Path certificateChain, Path privateKey) {
        try {
            List<Certificate> chain = certificates(certificateChain);
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("DicomTls.fromPem: no certificate in " + certificateChain);
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] password = new char[0];
            ks.setKeyEntry("harmony", privateKey(privateKey), password, chain.toArray(Certificate[]::new));
            return new DicomTls(ks, password, null, null, false, true);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("DicomTls.fromPem: cannot read " + certificateChain + " / " + privateKey
                    + ": " + e.getMessage(), e);
        }
    }

    /** Our key and certificate from a key store file (PKCS#12 or JKS; the key has the store's password). */
    public static DicomTls fromKeyStore(Path keyStore, char[] password) {
        return new DicomTls(load(keyStore, password, "fromKeyStore"), password.clone(), null, null, false, true);
    }

    /** No certificate of our own (a client that only verifies the server), trusting the PEM certificates. */
    public static DicomTls trustingOnly(Path trustedCertificates) {
        return new DicomTls(null, null, null, null, false, true).trusting(trustedCertificates);
    }

    /** A ready {@code SSLContext}; its key and trust managers decide everything but the protocols. */
    public static DicomTls of(SSLContext context) {
        return new DicomTls(null, null, null, Objects.requireNonNull(context, "DicomTls.of"), false, true);
    }

    /** Trust these PEM certificates (CAs or peers' own) instead of the JDK's default trust store. */
    public DicomTls trusting(Path trustedCertificates) {
        try {
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            int i = 0;
            for (Certificate c : certificates(trustedCertificates)) {
                ts.setCertificateEntry("trusted-" + i++, c);
            }
            if (i == 0) {
                throw new IllegalArgumentException("DicomTls.trusting: no certificate in " + trustedCertificates);
            }
            return new DicomTls(keys, keyPassword, ts, custom, requireClientCertificate, verifyHostname);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("DicomTls.trusting: cannot read " + trustedCertificates + ": "
                    + e.getMessage(), e);
        }
    }

    /** Trust the certificates of a trust store file (PKCS#12 or JKS). */
    public DicomTls trustStore(Path trustStore, char[] password) {
        return new DicomTls(keys, keyPassword, load(trustStore, password, "trustStore"), custom,
                requireClientCertificate, verifyHostname);
    }

    /** As a listener: refuse peers without a certificate we trust. Default false (no client certificate asked). */
    public DicomTls requireClientCertificate(boolean value) {
        return new DicomTls(keys, keyPassword, trusted, custom, value, verifyHostname);
    }

    /** As a client: check that the server's certificate names the host we connect to. Default true. */
    public DicomTls verifyHostname(boolean value) {
        return new DicomTls(keys, keyPassword, trusted, custom, requireClientCertificate, value);
    }

    public boolean requiresClientCertificate() {
        return requireClientCertificate;
    }

    /** Whether this has a certificate of its own (a listener needs one). */
    public boolean hasOwnCertificate() {
        return custom != null || keys != null;
    }

    /** The SSL context these settings describe. */
    public SSLContext context() {
        if (custom != null) {
            return custom;
        }
        try {
            KeyManagerFactory kmf = null;
            if (keys != null) {
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, keyPassword);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted); // null: the JDK's default trust store
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("DicomTls: cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /** Parameters for a listener's sockets: TLS 1.3/1.2, client certificate as configured. */
    public SSLParameters serverParameters(SSLContext ctx) {
        SSLParameters p = ctx.getDefaultSSLParameters();
        p.setProtocols(PROTOCOLS);
        if (requireClientCertificate) {
            p.setNeedClientAuth(true);
        } else if (trusted != null) {
            p.setWantClientAuth(true); // a certificate is verified if offered, and then known to the pipeline
        }
        return p;
    }

    /** Parameters for a client's sockets: TLS 1.3/1.2, host name checked unless turned off. */
    public SSLParameters clientParameters(SSLContext ctx) {
        SSLParameters p = ctx.getDefaultSSLParameters();
        p.setProtocols(PROTOCOLS);
        if (verifyHostname) {
            p.setEndpointIdentificationAlgorithm("HTTPS"); // RFC 2818 / 6125 name matching, also for IP SANs
        }
        return p;
    }

    private static KeyStore load(Path file, char[] password, String what) {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore ks = KeyStore.getInstance(file.toString().toLowerCase(java.util.Locale.ROOT).endsWith(".jks")
                    ? "JKS" : "PKCS12");
            ks.load(in, password);
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("DicomTls." + what + ": cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static List<Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(pem)) {
            Collection<? extends Certificate> all = CertificateFactory.getInstance("X.509").generateCertificates(in);
            return new ArrayList<>(all);
        }
    }

    private static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            if (m.group(1).equals("PRIVATE KEY")) {
                byte[] der = Base64.getMimeDecoder().decode(m.group(2));
                PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
                for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
                    try {
                        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
                    } catch (java.security.spec.InvalidKeySpecException notThisOne) {
                        // try the next algorithm
                    }
                }
                throw new GeneralSecurityException("the key is neither RSA, EC nor Ed25519");
            }
            if (m.group(1).contains("PRIVATE KEY")) {
                throw new GeneralSecurityException("'" + m.group(1) + "' is not supported: convert it to unencrypted"
                        + " PKCS#8 (openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY8)");
            }
        }
        throw new GeneralSecurityException("no PRIVATE KEY block");
    }
}
