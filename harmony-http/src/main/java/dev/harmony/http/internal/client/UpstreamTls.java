package dev.harmony.http.internal.client;

import io.undertow.protocols.ssl.UndertowXnioSsl;
import java.security.KeyManagementException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import org.xnio.OptionMap;
import org.xnio.Xnio;
import org.xnio.ssl.XnioSsl;

/**
 * TLS to an https upstream on XNIO connections (Undertow's SSL conduit). The certificate is checked
 * against the trust store of the given context and against the upstream's host name, as a browser would
 * (a plain SSLEngine checks only the chain); SNI names that host.
 */
final class UpstreamTls {
    private UpstreamTls() {
    }

    /** @param context the trust (and client keys), or null for the JVM's default trust store */
    static XnioSsl xnioSsl(SSLContext context, String host) {
        SSLContext base = context;
        if (base == null) {
            try {
                base = SSLContext.getDefault();
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("no default TLS context in this JVM", e);
            }
        }
        return new UndertowXnioSsl(Xnio.getInstance(Xnio.class.getClassLoader()), OptionMap.EMPTY,
                new HostChecking(base, host));
    }

    /** A context whose engines all talk to {@code host} and verify it (endpoint identification "HTTPS"). */
    private static final class HostChecking extends SSLContext {
        HostChecking(SSLContext base, String host) {
            super(new Spi(base, host), base.getProvider(), base.getProtocol());
        }
    }

    private static final class Spi extends SSLContextSpi {
        private final SSLContext base;
        private final String host;

        Spi(SSLContext base, String host) {
            this.base = base;
            this.host = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String peerHost, int port) {
            SSLEngine engine = base.createSSLEngine(host, port);
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            engine.setSSLParameters(parameters);
            engine.setUseClientMode(true);
            return engine;
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            throw new UnsupportedOperationException("an upstream engine needs the upstream's host");
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) throws KeyManagementException {
            throw new KeyManagementException("already initialised");
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return base.getSocketFactory();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return base.getServerSocketFactory();
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return base.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return base.getClientSessionContext();
        }
    }
}
