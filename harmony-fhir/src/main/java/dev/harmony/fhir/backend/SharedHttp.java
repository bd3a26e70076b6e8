package dev.harmony.fhir.backend;

import okhttp3.OkHttpClient;

/**
 * The one OkHttp client of the process. Each {@link FhirClient} derives its own with
 * {@code newBuilder()}, which shares this connection pool and dispatcher, so many clients cost no more
 * sockets or threads than one.
 */
final class SharedHttp {
    static final OkHttpClient CLIENT = new OkHttpClient.Builder()
            // Never follow redirects with a POST body and credentials to somewhere we were not told about.
            .followRedirects(false)
            .followSslRedirects(false)
            .build();

    private SharedHttp() {
    }
}
