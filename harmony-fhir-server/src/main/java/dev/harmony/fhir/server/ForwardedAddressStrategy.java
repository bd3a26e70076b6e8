package dev.harmony.fhir.server;

import ca.uhn.fhir.rest.server.IServerAddressStrategy;
import ca.uhn.fhir.rest.server.IncomingRequestAddressStrategy;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The server base as the client saw it when a proxy forwarded the request ({@code X-Forwarded-Host},
 * {@code -Proto}, {@code -Prefix}), so Location headers and Bundle links point at the proxy rather than
 * at this loopback server. Believed from anyone: this server only listens on 127.0.0.1.
 */
final class ForwardedAddressStrategy implements IServerAddressStrategy {
    private final IncomingRequestAddressStrategy direct = new IncomingRequestAddressStrategy();

    @Override
    public String determineServerBase(ServletContext servletContext, HttpServletRequest request) {
        String host = first(request.getHeader("X-Forwarded-Host"));
        if (host == null) {
            return direct.determineServerBase(servletContext, request);
        }
        String proto = first(request.getHeader("X-Forwarded-Proto"));
        String prefix = first(request.getHeader("X-Forwarded-Prefix"));
        if (prefix == null) {
            prefix = request.getContextPath() + request.getServletPath();
        }
        return (proto == null ? request.getScheme() : proto) + "://" + host
                + (prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix);
    }

    /** The first of a comma-separated list (the client-facing hop), or null. */
    private static String first(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        int comma = header.indexOf(',');
        return (comma < 0 ? header : header.substring(0, comma)).strip();
    }
}
