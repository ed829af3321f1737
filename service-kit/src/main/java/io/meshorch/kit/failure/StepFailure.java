package io.meshorch.kit.failure;

/**
 * A step could not reach its goal. Carries a stable reason {@link #code()} and whether running the
 * step again may help; becomes a {@code ClusterFailed} event when a handler gives up.
 */
public abstract class StepFailure extends RuntimeException {
  private final String code;

  protected StepFailure(String code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /** Stable machine-readable reason, e.g. {@code HEAT_STACK_FAILED}. */
  public String code() {
    return code;
  }

  /** True when the same request may succeed later (timeouts, outages, conflicts). */
  public abstract boolean retryable();
}
