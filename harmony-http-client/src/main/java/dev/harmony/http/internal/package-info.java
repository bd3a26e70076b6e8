/**
 * Internal to harmony-http: shared by its frontend and backend packages, not an API. It may change in
 * any release.
 */
package dev.harmony.http.internal;
