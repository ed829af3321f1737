package io.meshorch.kit.failure;

/** A failure that may go away: network errors, 5xx, conflicts, timeouts. Retried with backoff. */
public class TransientFailure extends StepFailure {
  public TransientFailure(String code, String message, Throwable cause) {
    super(code, message, cause);
  }

  public TransientFailure(String code, String message) {
    this(code, message, null);
  }

  @Override
  public boolean retryable() {
    return true;
  }
}
