package io.meshorch.kit.retry;

/**
 * Stands in for the kit's retry package in the architecture fixtures (testkit does not depend on
 * the service kit): a class of {@code io.meshorch.kit.retry} that a service must not use.
 */
public final class StandInRetrier {
  /** Runs {@code action} up to {@code attempts} times. */
  public void retry(Runnable action, int attempts) {
    for (int i = 0; i < attempts; i++) {
      action.run();
    }
  }
}
