/**
 * Internal to Harmony's HTTP modules (harmony-http-client, harmony-http and the FHIR client): the rules
 * they share, not an API. It may change in any release.
 */
package dev.harmony.http.internal;
