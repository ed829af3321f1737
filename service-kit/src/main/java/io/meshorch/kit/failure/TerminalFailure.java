package io.meshorch.kit.failure;

/** A failure retrying cannot fix: invalid input, quota, authentication, policy. Never retried. */
public class TerminalFailure extends StepFailure {
  public TerminalFailure(String code, String message, Throwable cause) {
    super(code, message, cause);
  }

  public TerminalFailure(String code, String message) {
    this(code, message, null);
  }

  @Override
  public boolean retryable() {
    return false;
  }
}
