/**
 * Harmony's one HTTP/1.1 upstream client (http and https, non-blocking, on XNIO), used by
 * {@code HttpForward} for every forwarded request, by {@code JwtAuth}'s JWKS fetch and by harmony-fhir's
 * {@code FhirClient}. It lives in harmony-http-client (harmony-api and XNIO only), so harmony-fhir uses it
 * without Undertow. Internal to Harmony: not API, left out of the Javadoc, and it may change in any release.
 */
package dev.harmony.http.internal.client;
