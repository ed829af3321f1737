package io.meshorch.kit.failure;

import java.time.Duration;
import java.util.Objects;

/**
 * A call that was not made because the system it would reach must not be called yet: a client-side
 * rate limit has no slot, or the system asked to wait ({@code Retry-After}). Nothing failed: the
 * kit calls the step again after {@link #retryAfter()}, without counting an attempt and without a
 * thread waiting. The step's waits keep their time limits, which bound how long it is held back. A
 * refusal the system did answer (a 429) is a plain {@link TransientFailure}: that counts.
 */
public class Throttled extends TransientFailure {
  private final Duration retryAfter;

  public Throttled(String code, String message, Duration retryAfter) {
    super(code, message);
    this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
  }

  /** When the call may be made again, from now. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
