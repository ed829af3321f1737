package io.meshorch.kit.step;

import java.time.Duration;
import java.util.Objects;

/**
 * When to look again at something awaited: {@code first} after the first look, then each pause
 * {@code multiplier} times the previous one, never more than {@code max}. Starting fast keeps the
 * delay between a change and its detection short for quick steps; growing keeps long waits cheap
 * for the cloud's APIs.
 *
 * @param first the pause after the first check
 * @param max the longest pause
 * @param multiplier growth per check, at least 1
 */
public record Recheck(Duration first, Duration max, double multiplier) {
  public Recheck {
    Objects.requireNonNull(first, "first");
    Objects.requireNonNull(max, "max");
    if (multiplier < 1) {
      throw new IllegalArgumentException("multiplier must be at least 1, found " + multiplier);
    }
    if (first.isNegative() || max.compareTo(first) < 0) {
      throw new IllegalArgumentException("need 0 <= first <= max, found " + first + ", " + max);
    }
  }

  /** The pause after {@code checks} checks that found the thing not ready (1-based). */
  public Duration pauseAfter(int checks) {
    double millis = first.toMillis() * Math.pow(multiplier, Math.max(0, checks - 1));
    return Duration.ofMillis((long) Math.min(millis, max.toMillis()));
  }
}
