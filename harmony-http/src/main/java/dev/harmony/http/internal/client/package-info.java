/**
 * Harmony's one HTTP/1.1 upstream client (http and https, non-blocking, on XNIO), used by
 * {@code HttpForward} for every forwarded request and by {@code JwtAuth}'s JWKS fetch. Internal to
 * Harmony: not API, left out of the Javadoc, and it may change in any release.
 */
package dev.harmony.http.internal.client;
