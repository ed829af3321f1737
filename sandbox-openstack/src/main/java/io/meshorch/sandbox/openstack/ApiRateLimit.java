package io.meshorch.sandbox.openstack;

import java.time.Duration;

/**
 * The rate limit a cloud's API front end (HAProxy, nginx) puts on a project: a token bucket of
 * {@code burst} requests refilled at {@code requestsPerSecond}. A request that finds it empty is
 * refused with 429 and told, in {@code Retry-After}, when the next token comes.
 */
final class ApiRateLimit {
  private final double requestsPerSecond;
  private final int burst;
  private double tokens;
  private long lastNanos;

  ApiRateLimit(double requestsPerSecond, int burst) {
    if (!(requestsPerSecond > 0) || burst < 1) {
      throw new IllegalArgumentException(
          "a rate limit needs a positive rate and a burst of at least 1, found "
              + requestsPerSecond
              + "/s, burst "
              + burst);
    }
    this.requestsPerSecond = requestsPerSecond;
    this.burst = burst;
    this.tokens = burst;
    this.lastNanos = System.nanoTime();
  }

  /** Takes a token; empty means the request is refused, with the wait until the next token. */
  synchronized Duration take() {
    long now = System.nanoTime();
    tokens = Math.min(burst, tokens + (now - lastNanos) / 1e9 * requestsPerSecond);
    lastNanos = now;
    if (tokens >= 1) {
      tokens -= 1;
      return Duration.ZERO;
    }
    return Duration.ofNanos((long) Math.ceil((1 - tokens) / requestsPerSecond * 1e9));
  }

  @Override
  public String toString() {
    return requestsPerSecond + " requests/s, bursts of " + burst;
  }
}
