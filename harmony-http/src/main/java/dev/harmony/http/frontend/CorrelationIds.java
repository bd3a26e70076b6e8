package dev.harmony.http.frontend;

import java.util.concurrent.ThreadLocalRandom;

/**
 * The exchange id the ingress gives each request ({@code Attribute.EXCHANGE_ID}), so what it logs
 * and shows a client about a failure carries the same id as the pipeline's own log lines.
 */
final class CorrelationIds {
    private CorrelationIds() {
    }

    /** 48 random bits as 12 hex digits, the same shape as the ids the pipeline makes. */
    static String next() {
        return Long.toHexString((ThreadLocalRandom.current().nextLong() & 0xffff_ffff_ffffL) | (1L << 48)).substring(1);
    }
}
