package dev.scratchlm.service;

import java.time.Duration;

/**
 * Bounded exponential backoff: attempt 1 waits {@code initial}, each further attempt twice as long, at most
 * {@code max}; after {@code maxAttempts} failed attempts a caller gives up (see {@link ConsumerLoop}).
 */
public record Backoff(Duration initial, Duration max, int maxAttempts) {
    public Backoff {
        if (initial.isNegative() || max.compareTo(initial) < 0 || maxAttempts < 1) {
            throw new IllegalArgumentException("backoff needs 0 <= initial <= max and maxAttempts >= 1");
        }
    }

    /** The pause after failed attempt number {@code attempt} (1-based). */
    public Duration delay(int attempt) {
        long ms = initial.toMillis();
        for (int i = 1; i < attempt && ms < max.toMillis(); i++) ms *= 2;
        return Duration.ofMillis(Math.min(ms, max.toMillis()));
    }

    public boolean exhausted(int attempts) {
        return attempts >= maxAttempts;
    }

    /** @return false when interrupted (the interrupt flag is set again) */
    public static boolean sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
