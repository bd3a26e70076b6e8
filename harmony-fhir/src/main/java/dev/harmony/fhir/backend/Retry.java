package dev.harmony.fhir.backend;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link FhirClient} retries transient failures (connection refused, 503, 429, and read timeouts when
 * the request is idempotent): at most {@link #maxAttempts()} attempts, waiting {@code initialDelay},
 * then twice as long each time, never more than {@code maxDelay}. A {@code Retry-After} from the server
 * replaces the computed wait; one longer than {@code maxDelay} ends the retries at once, so a caller is
 * never held for minutes. {@link FhirClient.Builder#deadline(java.time.Duration)} bounds all attempts and
 * waits together: a retry that cannot finish before it is not started.
 *
 * <pre>{@code
 * Retry.attempts(4).backoff(Duration.ofMillis(200), Duration.ofSeconds(5))
 * }</pre>
 */
public final class Retry {
    private final int maxAttempts;
    private final Duration initialDelay;
    private final Duration maxDelay;

    private Retry(int maxAttempts, Duration initialDelay, Duration maxDelay) {
        this.maxAttempts = maxAttempts;
        this.initialDelay = initialDelay;
        this.maxDelay = maxDelay;
    }

    /** The default: 4 attempts, 200 ms doubling up to 5 s. */
    public static Retry standard() {
        return new Retry(4, Duration.ofMillis(200), Duration.ofSeconds(5));
    }

    /** One attempt, no retries. */
    public static Retry none() {
        return new Retry(1, Duration.ZERO, Duration.ZERO);
    }

    /** Up to {@code maxAttempts} attempts in total (1 = no retry), with the standard backoff. */
    public static Retry attempts(int maxAttempts) {
        if (maxAttempts < 1 || maxAttempts > 20) {
            throw new IllegalArgumentException("FHIR Client: retry attempts must be 1..20, got " + maxAttempts);
        }
        return new Retry(maxAttempts, Duration.ofMillis(200), Duration.ofSeconds(5));
    }

    /** The first wait and the cap of the doubling waits. */
    public Retry backoff(Duration initial, Duration max) {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(max, "max");
        if (initial.isNegative() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("FHIR Client: retry backoff needs 0 <= initial <= max, got "
                    + initial + " and " + max);
        }
        return new Retry(maxAttempts, initial, max);
    }

    /** Attempts in total, the first included. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** The wait before the first retry. */
    public Duration initialDelay() {
        return initialDelay;
    }

    /** The longest wait, and the longest {@code Retry-After} honoured. */
    public Duration maxDelay() {
        return maxDelay;
    }

    /** The wait before attempt {@code next} (2 = the first retry). */
    Duration delayBefore(int next) {
        long millis = initialDelay.toMillis();
        for (int i = 2; i < next && millis < maxDelay.toMillis(); i++) {
            millis *= 2;
        }
        return Duration.ofMillis(Math.min(millis, maxDelay.toMillis()));
    }

    @Override
    public String toString() {
        return maxAttempts == 1 ? "no retries" : maxAttempts + " attempts, backoff " + initialDelay.toMillis() + "-"
                + maxDelay.toMillis() + " ms";
    }
}
