package dev.harmony.http.frontend;

/**
 * Request headers that speak for a proxy: who the client is, how and where it connected, what it
 * originally asked for, which method it meant. Any client can write them, so the ingress keeps them
 * only from {@link TrustedProxies trusted proxies} and drops them from everyone else before the
 * pipeline sees the request.
 */
final class ProxyHeaders {
    private static final String[] NAMES = {"Forwarded", "X-Real-IP", "X-Client-IP", "True-Client-IP",
            "X-Cluster-Client-IP", "CF-Connecting-IP", "Fastly-Client-IP", "X-Original-Forwarded-For",
            "X-Original-URL", "X-Original-URI", "X-Rewrite-URL", "X-Host", "X-HTTP-Method-Override",
            "X-HTTP-Method", "X-Method-Override", "X-ProxyUser-Ip", "Client-IP"};

    private ProxyHeaders() {
    }

    static boolean is(String name) {
        if (name.regionMatches(true, 0, "X-Forwarded-", 0, 12)) {
            return true; // -For, -Host, -Proto, -Port, -Prefix, -Server, -Ssl...
        }
        for (String n : NAMES) { // no lower-casing per header: most names differ in length already
            if (n.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }
}
