package io.meshorch.kit.retry;

import java.time.Duration;
import java.util.Objects;

/**
 * A bounded exponential back-off.
 *
 * @param maxAttempts how many times a call is tried in all, at least 1
 * @param initialDelay the pause after the first failure
 * @param maxDelay the longest pause
 * @param multiplier growth of the pause after each failure, at least 1
 */
public record Backoff(
    int maxAttempts, Duration initialDelay, Duration maxDelay, double multiplier) {

  public Backoff {
    Objects.requireNonNull(initialDelay, "initialDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, found " + maxAttempts);
    }
    if (multiplier < 1) {
      throw new IllegalArgumentException("multiplier must be at least 1, found " + multiplier);
    }
  }

  /** The pause before attempt {@code attempt + 1}, after {@code attempt} failures (1-based). */
  public Duration delayAfter(int attempt) {
    double millis = initialDelay.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
    return Duration.ofMillis((long) Math.min(millis, maxDelay.toMillis()));
  }
}
